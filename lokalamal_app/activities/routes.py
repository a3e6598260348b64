"""Activity pages: post, photo, delete, react, feeds, the volunteering board and the vote."""

import secrets

from flask import (
    abort,
    flash,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import clock, page_cache
from ..challenges import queries as challenge_queries
from ..companies.http import company_or_404
from ..extensions import db, htmx
from ..forms import EmptyForm
from ..inputs import int_arg
from ..models import Activity
from ..redirects import go, safe_next
from ..security import UPLOAD_CSP, accepts_uploads
from ..teams import queries as team_queries
from . import bp, photos, queries, services
from .forms import ActivityForm, PublicVotesForm, VoteForm
from .services import ActivityError

BROWSER_COOKIE = "vote_browser"
# The challenge page shows this browser's own vote: cached pages are kept apart by it.
page_cache.personal_cookie(BROWSER_COOKIE)


def _team_or_404(ident: str):
    team = team_queries.team_by_ident(ident)
    if team is None:
        abort(404)
    return team


def _visible_activity_or_404(activity_id: int) -> Activity:
    """The activity when the visitor may see it; 404 otherwise (it does not exist for them)."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or not queries.can_see(current_user, activity):
        abort(404)
    return activity


def _challenge_or_404(challenge_id: int):
    challenge = challenge_queries.challenge_by_id(challenge_id)
    if challenge is None or not challenge_queries.can_view(challenge, current_user):
        abort(404)
    return challenge


def _render_new(form, team, status):
    return render_template("activities/new.html", form=form, team=team,
                           max_mb=photos.max_bytes() // (1024 * 1024)), status


@bp.route("/teams/<ident>/activities/new", methods=["GET", "POST"])
@accepts_uploads(limit="ACTIVITY_UPLOAD_MAX_LENGTH")
@login_required
def new(ident: str):
    """A team member tells what the team did, optionally with one photo."""
    team = _team_or_404(ident)
    if not services.may_post(current_user, team):
        abort(403)
    form = ActivityForm()
    if not form.is_submitted():
        form.happened_on.data = clock.today()  # most tell the same day; easy to change
        return _render_new(form, team, 200)
    if not form.validate_on_submit():
        return _render_new(form, team, 422)
    upload = form.photo.data
    data = None
    if upload is not None and getattr(upload, "filename", ""):
        # One byte past the limit is enough to know it is too big.
        data = upload.read(photos.max_bytes() + 1)
    try:
        services.post_activity(team, current_user, form.happened_on.data, form.kind.data,
                               form.text.data, form.hours.half_hours, form.is_public.data, data)
    except ActivityError as exc:
        db.session.rollback()
        target = getattr(form, exc.field, None) if exc.field else None
        if target is None:
            abort(exc.status)
        target.errors = [*target.errors, str(exc)] if isinstance(target.errors, list) else [str(exc)]
        return _render_new(form, team, exc.status)
    db.session.commit()
    flash(_("Tack! Aktiviteten syns nu på lagets sida."), "success")
    return go(url_for("teams.show", ident=team.slug) + "#aktiviteter")


@bp.get("/activities/<int:activity_id>/photo")
def photo(activity_id: int):
    """The activity's photo, for those who may see the activity."""
    activity = _visible_activity_or_404(activity_id)
    path = photos.path_of(activity.photo or "")
    if path is None:
        abort(404)
    with open(path, "rb") as handle:  # a cleaned photo is small: a few hundred kB
        response = make_response(handle.read())
    response.headers["Content-Type"] = photos.content_type(activity.photo)
    response.headers["Cache-Control"] = ("public, max-age=3600" if activity.is_public
                                         else "private, max-age=3600")
    response.headers["Content-Security-Policy"] = UPLOAD_CSP
    return response


@bp.post("/activities/<int:activity_id>/delete")
@login_required
def delete(activity_id: int):
    """The author, the captain, the workplace's admins or staff remove an activity."""
    activity = _visible_activity_or_404(activity_id)
    if not services.may_delete(current_user, activity):
        abort(403)
    back = safe_next(request.form.get("next"), url_for("teams.show", ident=activity.team.slug))
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_activity(activity, current_user)
    db.session.commit()
    flash(_("Aktiviteten är borttagen."), "info")
    return go(back)


@bp.post("/activities/<int:activity_id>/reactions/<kind>")
@login_required
def react(activity_id: int, kind: str):
    """Toggle the visitor's reaction; htmx gets the refreshed reactions back."""
    activity = _visible_activity_or_404(activity_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.toggle_reaction(activity, current_user, kind)
    except ActivityError as exc:
        abort(exc.status)
    db.session.commit()
    if htmx:
        return render_template("activities/_reactions.html",
                               entry=queries.item(activity, current_user), may_react=True,
                               button_form=EmptyForm())
    return go(safe_next(request.form.get("next"),
                        url_for("teams.show", ident=activity.team.slug)))


def _feed_page(scope: str, target, back: str):
    feed = queries.feed(scope, target, current_user, int_arg("page", 1, minimum=1,
                                                               maximum=10_000))
    if htmx:
        return render_template("activities/_feed_items.html", feed=feed, back=back,
                               button_form=EmptyForm())
    return render_template("activities/feed.html", feed=feed, back=back, target=target,
                           button_form=EmptyForm())


@bp.get("/teams/<ident>/activities")
def team_feed(ident: str):
    """More of a team's activities (paged)."""
    team = _team_or_404(ident)
    return _feed_page("team", team, url_for("teams.show", ident=team.slug))


@bp.get("/companies/<slug>/activities")
def company_feed(slug: str):
    """More of a workplace's activities (paged)."""
    company = company_or_404(slug)
    return _feed_page("company", company, url_for("companies.show", slug=company.slug))


@bp.get("/challenges/<int:challenge_id>/activities")
def challenge_feed(challenge_id: int):
    """More of a challenge's activities (paged)."""
    challenge = _challenge_or_404(challenge_id)
    return _feed_page("challenge", challenge,
                      url_for("challenges.show", challenge_id=challenge.id))


@bp.get("/leaderboards/volunteering")
def hours():
    """Teams and workplaces by volunteering hours this campaign."""
    campaign, first, last = queries.campaign_period()
    return render_template(
        "activities/hours.html", campaign=campaign,
        teams=queries.hours_board("teams", first, last),
        companies=queries.hours_board("companies", first, last),
    )


def _vote_refused(challenge, exc: ActivityError):
    db.session.rollback()
    form = VoteForm()
    form.activity.errors = [str(exc)]
    return render_template(
        "activities/vote_refused.html", challenge=challenge, message=str(exc),
        creativity=queries.creativity(challenge, current_user,
                                      request.cookies.get(BROWSER_COOKIE)),
        vote_form=form), exc.status


@bp.post("/challenges/<int:challenge_id>/creativity/vote")
def vote(challenge_id: int):
    """A vote for the most creative activity of the other side (or, if allowed, anyone's)."""
    challenge = _challenge_or_404(challenge_id)
    form = VoteForm()
    if not form.validate_on_submit():
        abort(400)
    browser_key = request.cookies.get(BROWSER_COOKIE)
    new_key = None
    try:
        if services.voter_company(challenge, current_user) is not None:
            services.cast_vote(challenge, form.activity.data, current_user)
        else:
            if not browser_key:
                browser_key = new_key = secrets.token_urlsafe(24)
            services.cast_public_vote(challenge, form.activity.data, browser_key,
                                      services.origin_key(request.remote_addr))
    except ActivityError as exc:
        return _vote_refused(challenge, exc)
    db.session.commit()
    flash(_("Tack för din röst!"), "success")
    response = make_response(go(url_for("challenges.show", challenge_id=challenge.id)
                                + "#kreativitet"))
    if new_key:
        response.set_cookie(BROWSER_COOKIE, new_key, max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response


@bp.post("/challenges/<int:challenge_id>/creativity/settings")
@login_required
def vote_settings(challenge_id: int):
    """An admin of one of the workplaces (or staff) lets the public vote, or not."""
    challenge = _challenge_or_404(challenge_id)
    form = PublicVotesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_public_votes(challenge, form.public_votes.data, current_user)
    except ActivityError as exc:
        abort(exc.status)
    db.session.commit()
    flash(_("Inställningen är sparad."), "success")
    return go(url_for("challenges.show", challenge_id=challenge.id) + "#kreativitet")


def format_half_hours(half_hours: int) -> str:
    """Half hours as people write hours: 3 -> "1,5", 4 -> "2"."""
    whole, half = divmod(int(half_hours), 2)
    return f"{whole},5" if half else str(whole)


def init_app(app) -> None:
    """Template helpers: the feeds and the vote are shown on other features' pages."""

    def activity_feed(scope: str, target):
        return queries.feed(scope, target, current_user)

    def creativity_for(challenge):
        return queries.creativity(challenge, current_user, request.cookies.get(BROWSER_COOKIE))

    app.jinja_env.globals.update(
        activity_feed=activity_feed, creativity_for=creativity_for,
        may_post_activity=lambda team: services.may_post(current_user, team),
        activity_vote_form=VoteForm, public_votes_form=PublicVotesForm,
        activity_kinds=services.KINDS, activity_button_form=EmptyForm,
        format_half_hours=format_half_hours,
    )
    photos.init_events()
