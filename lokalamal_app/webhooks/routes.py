"""A workplace's admins set the Slack or Teams addresses its news is posted to."""

from flask import abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import permissions
from ..companies.http import company_or_404, refuse, stale_form
from ..extensions import db
from ..forms import EmptyForm
from ..models import WebhookEndpoint
from ..redirects import go
from . import bp, services
from .forms import WebhookForm


def _endpoints(company_id: int) -> list[WebhookEndpoint]:
    return db.session.execute(
        select(WebhookEndpoint).where(WebhookEndpoint.company_id == company_id)
        .order_by(WebhookEndpoint.id)
    ).scalars().all()


@bp.route("/companies/<slug>/webhooks", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """List, add: the addresses in Slack or Teams that hear about reached milestones."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            services.add_endpoint(company.id, form.url.data, form.kind, current_user)
        except services.WebhookError as exc:
            db.session.rollback()
            form.url.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Webhooken är sparad."), "success")
            return go(url_for("webhooks.settings", slug=company.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("webhooks/settings.html", company=company, form=form,
                           endpoints=_endpoints(company.id), button_form=EmptyForm()), status


@bp.post("/companies/<slug>/webhooks/<int:endpoint_id>/remove")
@login_required
def remove(slug: str, endpoint_id: int):
    """Remove one of the workplace's webhook addresses."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.company_id != company.id:
        abort(404)
    back = url_for("webhooks.settings", slug=company.slug)
    if refusal := stale_form(back):
        return refusal
    try:
        services.remove_endpoint(endpoint, current_user)
    except services.WebhookError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("Webhooken är borttagen."), "success")
    return go(back)
