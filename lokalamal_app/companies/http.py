"""HTTP helpers shared by the workplace and team views."""

from flask import Response, abort, make_response, redirect, render_template

from ..extensions import db, htmx
from . import queries


def go(url: str) -> Response:
    """Post/redirect/get; htmx requests get HX-Redirect instead of a swapped page."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


def refuse(message: str, back: str, status: int = 409) -> tuple[str, int]:
    """A friendly page for a request that breaks a rule; nothing was saved."""
    db.session.rollback()
    return render_template("companies/refused.html", message=message, back=back), status


def company_or_404(slug: str):
    company = queries.company_by_slug(slug)
    if company is None:
        abort(404)
    return company
