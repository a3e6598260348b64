"""Public partner pages: the "Bli partner" form and partner logos."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from ..extensions import db
from ..inputs import int_arg
from ..models import Partner
from . import bp, queries, services
from .forms import InquiryForm

# A logo is an image only: nothing in it may run, whatever the browser thinks it is.
# As any uploaded picture (security.UPLOAD_CSP), but an SVG logo may style itself inline.
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"


@bp.route("/bli-partner", methods=["GET", "POST"])
def inquiry():
    """Anyone may ask to become a partner; robots fill the honeypot and get nothing."""
    form = InquiryForm()
    form.set_goal_choices(queries.all_goals())
    if request.method == "GET" and (goal := int_arg("goal")) is not None:
        form.goal.data = str(goal)
    if form.validate_on_submit():
        if form.website.data:
            # Looks like success to the robot; nothing is stored or sent.
            return redirect(url_for("partners.thanks"))
        try:
            services.create_inquiry(
                {
                    "company_name": form.company_name.data,
                    "contact_name": form.contact_name.data,
                    "email": form.email.data,
                    "phone": form.phone.data,
                    "goal_id": int(form.goal.data) if form.goal.data else None,
                    "level": form.level.data,
                    "message": form.message.data,
                },
                request.remote_addr or "",
            )
        except services.InquiryError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("partners/inquiry.html", form=form), 429
        db.session.commit()
        return redirect(url_for("partners.thanks"))
    status = 422 if request.method == "POST" else 200
    return render_template("partners/inquiry.html", form=form), status


@bp.get("/bli-partner/tack")
def thanks():
    return render_template("partners/thanks.html")


@bp.get("/partners/<int:partner_id>/logo")
def logo(partner_id: int):
    """Serve a logo with its own image type; never as a page that could run scripts."""
    partner = db.session.get(Partner, partner_id)
    if partner is None or not partner.logo:
        abort(404)
    response = make_response(partner.logo)
    response.headers["Content-Type"] = partner.logo_type
    extension = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}.get(
        partner.logo_type, "bin"
    )
    response.headers["Content-Disposition"] = f'inline; filename="logo-{partner.id}.{extension}"'
    response.headers["Content-Security-Policy"] = LOGO_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
