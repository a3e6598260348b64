"""The intranet widget (framable only by the workplace's listed origins), the SVG badges,
and the admins' page that lists the origins."""

from flask import abort, current_app, flash, make_response, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..companies import queries as company_queries
from ..companies.http import company_or_404, stale_form
from ..extensions import db
from ..forms import EmptyForm
from ..models import EmbedOrigin
from ..money import format_ore
from ..redirects import go
from ..security import CSP
from ..teams.routes import team_or_404
from ..urls import external_url
from . import bp, queries, services
from .forms import OriginForm

WIDGET_MAX_AGE = 60
BADGE_MAX_AGE = 300


def frame_ancestors_csp(origins: list[str]) -> str:
    """The site's CSP with frame-ancestors set to these origins ('none' when there are none)."""
    allowed = " ".join(origins) if origins else "'none'"
    return CSP.replace("frame-ancestors 'self'", f"frame-ancestors {allowed}")


def _cached(response, max_age: int):
    """Public and cheap to ask again: Cache-Control, an ETag of the body, 304 when it fits."""
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/embed/workplaces/<slug>")
def widget(slug: str):
    """The workplace's total, progress and teams, for its intranet to show in a frame."""
    company = company_or_404(slug)
    from ..milestones import queries as milestone_queries

    html = render_template(
        "embed/workplace.html", company=company,
        reported_ore=queries.reported_total("company", company.id),
        teams=company_queries.teams_with_totals(company),
        progress=milestone_queries.for_company(company),
        page_url=external_url("companies.show", slug=company.slug),
    )
    response = make_response(html)
    origins = [row.origin for row in queries.origins_of(company.id)]
    response.headers["Content-Security-Policy"] = frame_ancestors_csp(origins)
    return _cached(response, WIDGET_MAX_AGE)


def _badge(label: str, value: str, title: str):
    """A flat two-part badge; every text in it is escaped."""
    char = 7  # an average glyph of 11 px Verdana; the badge need not be exact
    left, right = 10 + char * len(label), 10 + char * len(value)
    # Straight from the template, without the page context (footer goals, login lookup):
    # a badge costs the same two statements whoever asks.
    svg = current_app.jinja_env.get_template("embed/badge.svg").render(
        label=label, value=value, title=title, left=left, right=right, width=left + right)
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    return _cached(response, BADGE_MAX_AGE)


@bp.get("/badge/teams/<ident>.svg")
def team_badge(ident: str):
    """The team's reported total as an SVG badge (two statements)."""
    team = team_or_404(ident)
    with force_locale("sv"):
        value = format_ore(queries.reported_total("team", team.id), decimals=False,
                           locale="sv_SE")
        title = f"{team.name}: {value} rapporterat till Lokala mål"
    return _badge("Lokala mål", value, title)


@bp.get("/badge/workplaces/<slug>.svg")
def workplace_badge(slug: str):
    """The workplace's reported total as an SVG badge (two statements)."""
    company = company_or_404(slug)
    with force_locale("sv"):
        value = format_ore(queries.reported_total("company", company.id), decimals=False,
                           locale="sv_SE")
        title = f"{company.name}: {value} rapporterat till Lokala mål"
    return _badge("Lokala mål", value, title)


@bp.route("/companies/<slug>/embed", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    """Admins: the intranet addresses that may show the widget, and the code to paste."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    form = OriginForm()
    if form.validate_on_submit():
        try:
            services.add_origin(company.id, form.origin.data, current_user)
        except services.EmbedError as exc:
            db.session.rollback()
            form.origin.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Adressen är sparad."), "success")
            return go(url_for("embed.settings", slug=company.slug))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "embed/settings.html", company=company, form=form, button_form=EmptyForm(),
        origins=queries.origins_of(company.id),
        widget_url=external_url("embed.widget", slug=company.slug),
        badge_url=external_url("embed.workplace_badge", slug=company.slug),
        page_url=external_url("companies.show", slug=company.slug),
    ), status


@bp.post("/companies/<slug>/embed/<int:origin_id>/remove")
@login_required
def remove_origin(slug: str, origin_id: int):
    """Stop allowing one intranet address."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    row = db.session.get(EmbedOrigin, origin_id)
    if row is None or row.company_id != company.id:
        abort(404)
    back = url_for("embed.settings", slug=company.slug)
    if refusal := stale_form(back):
        return refusal
    services.remove_origin(row, current_user)
    db.session.commit()
    flash(_("Adressen är borttagen."), "success")
    return go(back)


