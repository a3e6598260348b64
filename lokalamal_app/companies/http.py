"""HTTP helpers shared by the workplace and team views."""

from flask import Response, abort, render_template
from flask_babel import gettext as _

from .. import qr
from ..extensions import db
from ..forms import EmptyForm
from . import queries


def refuse(message: str, back: str, status: int = 409) -> tuple[str, int]:
    """A friendly page for a request that breaks a rule; nothing was saved."""
    db.session.rollback()
    return render_template("companies/refused.html", message=message, back=back), status


def stale_form(back: str) -> tuple[str, int] | None:
    """For a button post (only a CSRF token): the refusal to answer with when the token is
    missing or has run out, else None."""
    if EmptyForm().validate_on_submit():
        return None
    return refuse(_("Formuläret hade gått ut. Försök igen."), back, 400)


def invite_poster_png(url: str, title: str, filename: str) -> Response:
    """A print-size PNG poster with the QR code of an invite link, the link written under."""
    return Response(qr.png(url, caption=url, title=title), mimetype="image/png", headers={
        "Content-Disposition": f'inline; filename="{filename}"'})


def company_or_404(slug: str):
    company = queries.company_by_slug(slug)
    if company is None:
        abort(404)
    return company
