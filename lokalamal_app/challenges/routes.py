"""Challenge pages: propose, answer, withdraw, the live head-to-head page and TV mode."""


from flask import (
    Response,
    abort,
    flash,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from .. import clock, page_cache, permissions, qr
from ..extensions import db
from ..forms import EmptyForm
from ..inputs import int_arg, small_int
from ..ledger import totals
from ..models import Goal
from ..models.base import utcnow
from ..redirects import go
from ..rounds import queries as round_queries
from ..sharing.routes import qr_response
from ..urls import external_url
from . import bp, queries, services
from .forms import AnswerForm, ChallengeForm, ScoringForm
from .scoring import SCORINGS, scoring_of


def _challenge_or_404(challenge_id: int):
    challenge = queries.challenge_by_id(challenge_id)
    if challenge is None:
        abort(404)
    return challenge


def _commit_and_tell() -> None:
    """Commit the change (releasing its locks), then tell whom it concerns and commit that."""
    db.session.commit()
    services.send_notices()
    db.session.commit()


def _goals():
    return db.session.execute(db.select(Goal).order_by(Goal.number)).scalars().all()


@bp.get("/challenges")
def index():
    """Running and finished challenges, and open proposals for the visitor's workplaces."""
    mine = []
    for company in queries.admin_companies_of(current_user)[:20]:
        mine += [(company, c) for c in queries.company_challenges(company, current_user)["proposed"]]
    return render_template(
        "challenges/index.html", running=queries.running_challenges(),
        finished=queries.finished_challenges(), mine=mine,
        can_challenge=bool(queries.admin_companies_of(current_user)),
    )


def _challenge_form(admin_companies, rematch=None, formdata=None):
    form = ChallengeForm(formdata=formdata, admin_companies=admin_companies, goals=_goals())
    if formdata is None and rematch is not None:
        mine = {c.id for c in admin_companies}
        form.challenger.data = next((p.company_id for p in rematch.participants
                                     if p.company_id in mine), None)
        form.neighbours.data = [p.company_id for p in rematch.participants
                                if p.company_id != form.challenger.data
                                and p.status == "accepted"]
        form.measure.data = scoring_of(rematch)
        form.goal.data = rematch.goal_id or 0
        form.rematch_of.data = str(rematch.id)
    return form


def _rematch_of(value) -> "services.Challenge | None":
    if value in (None, ""):
        return None
    number = small_int(str(value))
    if number is None:  # no such challenge
        abort(404)
    challenge = _challenge_or_404(number)
    if not queries.admin_companies(challenge, current_user):
        abort(403)
    return challenge


def _render_form(form, admin_companies, rematch, status=200):
    chosen = next((c for c in admin_companies if c.id == form.challenger.data),
                  admin_companies[0])
    suggestions = queries.neighbours(chosen)
    known = {c.id for c, _ in suggestions}
    extra = [c for c in form.opponent_companies if c.id not in known]
    choices = [SelectChoice(c.id, f"{c.name} ({why})") for c, why in suggestions] + [
        SelectChoice(c.id, c.name) for c in extra
        if form.neighbours.data and c.id in form.neighbours.data
    ]
    if rematch is not None:
        for p in rematch.participants:
            if p.company_id not in {choice.value for choice in choices} \
                    and p.company_id != chosen.id:
                choices.append(SelectChoice(p.company_id, p.company.name))
    form.neighbours.choices = choices
    return render_template("challenges/new.html", form=form, rematch=rematch,
                           chosen=chosen, one_company=len(admin_companies) == 1,
                           company_names=queries.company_names()), status


@bp.route("/challenges/new", methods=["GET", "POST"])
@login_required
def new():
    """Propose a challenge (or a rematch) as an admin of a workplace."""
    admin_companies = queries.admin_companies_of(current_user)
    if not admin_companies:
        abort(403)
    rematch = _rematch_of(request.values.get("rematch_of") or request.args.get("rematch"))
    if request.method == "GET":
        form = _challenge_form(admin_companies, rematch)
        if form.challenger.data is None:
            form.challenger.data = int_arg("from")
        if form.challenger.data not in {c.id for c in admin_companies}:
            form.challenger.data = admin_companies[0].id
        if not form.starts_on.data:
            form.starts_on.data = clock.today()
        return _render_form(form, admin_companies, rematch)
    form = _challenge_form(admin_companies, formdata=request.form)
    if not form.validate_on_submit():
        if form.challenger.data not in {c.id for c in admin_companies}:
            form.challenger.data = admin_companies[0].id
        return _render_form(form, admin_companies, rematch, 422)
    challenger = next(c for c in admin_companies if c.id == form.challenger.data)
    try:
        challenge = services.propose_challenge(
            challenger, form.opponent_companies, form.starts_on.data, form.ends_on.data,
            form.measure.data, form.goal.data or None, form.greeting.data or "",
            actor=current_user, rematch_of=rematch,
        )
    except services.ChallengeError as exc:
        db.session.rollback()
        target = getattr(form, exc.field or "opponent", form.opponent)
        target.errors = list(target.errors) + [str(exc)]
        return _render_form(form, admin_companies, rematch, exc.status)
    _commit_and_tell()
    flash(_("Utmaningen är skickad. Grannarnas administratörer har fått ett meddelande."),
          "success")
    return go(url_for("challenges.show", challenge_id=challenge.id))


def _visible_or_404(challenge_id: int):
    # Only reads: a due challenge shows its preliminary figures until `settle-challenges`
    # settles it (a GET never writes).
    challenge = _challenge_or_404(challenge_id)
    if not queries.can_view(challenge, current_user):
        abort(404)
    return challenge


def _page_context(challenge, answer_form=None, scoring_form=None):
    board = queries.board(challenge)
    admin_of = queries.admin_companies(challenge, current_user)
    can_change_scoring = (permissions.is_staff(current_user)
                          and challenge.status in ("proposed", "accepted")
                          and challenge.settled_at is None
                          and clock.today() < challenge.starts_on)
    if can_change_scoring and scoring_form is None:
        scoring_form = ScoringForm(scoring=board.scoring)
    answer_form = answer_form or AnswerForm()
    answer_form.scoring.data = board.scoring
    answerable = [p.company for p in challenge.participants
                  if p.status == "invited" and p.company in admin_of
                  and challenge.status == "proposed"]
    share_url = external_url("challenges.show", challenge_id=challenge.id)
    return dict(
        challenge=challenge, board=board, version=totals.board_version(),
        now=utcnow(), admin_of=admin_of, answerable=answerable,
        answer_form=answer_form, empty_form=EmptyForm(),
        scorings=SCORINGS, scoring_form=scoring_form if can_change_scoring else None,
        can_withdraw=challenge.status == "proposed"
        and permissions.is_company_admin(current_user, challenge.challenger),
        can_rematch=board.phase == "settled" and bool(admin_of),
        share_url=share_url,
        qr_svg=qr.svg(share_url) if queries.is_public(challenge) else "",
        qr_png_url=url_for("challenges.qr_png", challenge_id=challenge.id,
                           k=qr.key("challenge.png", *_qr_png_parts(challenge)))
        if queries.is_public(challenge) else "",
    )


@bp.get("/challenges/<int:challenge_id>")
@page_cache.cached
def show(challenge_id: int):
    """The head-to-head page (public once accepted; before that only for its admins)."""
    challenge = _visible_or_404(challenge_id)
    context = _page_context(challenge)
    # Only the full page shows the standing per round: the live polls need not read it.
    context["round_view"] = round_queries.challenge_rounds(challenge, context["board"],
                                                           request.args.get("round"))
    return render_template("challenges/show.html", **context)


def _live(challenge_id: int, template: str):
    challenge = _visible_or_404(challenge_id)
    version = totals.board_version()
    if request.args.get("v") == str(version):
        return Response(status=204)
    return render_template(template, **_page_context(challenge))


@bp.get("/challenges/<int:challenge_id>/live")
def live(challenge_id: int):
    """The live part of the page; 204 with no body when nothing changed since `v`."""
    return _live(challenge_id, "challenges/_live.html")


@bp.get("/challenges/<int:challenge_id>/tv/live")
def tv_live(challenge_id: int):
    """The live part of TV mode; 204 when nothing changed since `v`."""
    return _live(challenge_id, "challenges/_tv_live.html")


@bp.get("/challenges/<int:challenge_id>/tv")
@page_cache.cached
def tv(challenge_id: int):
    """Full screen, dark, large type, for a screen in the lunch room."""
    challenge = _visible_or_404(challenge_id)
    if not queries.is_public(challenge):
        abort(404)
    return render_template("challenges/tv.html", **_page_context(challenge))


@bp.get("/challenges/<int:challenge_id>/qr.png")
def qr_png(challenge_id: int):
    """A printable QR code that leads to the challenge page."""
    challenge = _visible_or_404(challenge_id)
    if not queries.is_public(challenge):
        abort(404)
    url, title = _qr_png_parts(challenge)
    response = qr_response(("challenge.png", url, title),
                           lambda: qr.png(url, caption=url, title=title), "image/png")
    response.headers["Content-Disposition"] = f'inline; filename="utmaning-{challenge.id}.png"'
    return response


def _qr_png_parts(challenge) -> tuple[str, str]:
    """What the printable QR is drawn from: the page's address and who meets whom."""
    url = external_url("challenges.show", challenge_id=challenge.id)
    names = (" " + _("mot") + " ").join(p.company.name for p in challenge.participants
                                        if p.status == "accepted")
    return url, names[:60]


def _answer(challenge_id: int, accept: bool):
    challenge = _challenge_or_404(challenge_id)
    admin_of = queries.admin_companies(challenge, current_user)
    if not admin_of:
        abort(403 if queries.can_view(challenge, current_user) else 404)
    form = AnswerForm()
    invited = [c for c in admin_of if c.id != challenge.challenger_id]
    if not invited:
        abort(403)
    company = next((c for c in invited if str(c.id) == (form.company.data or "")), None)
    if company is None:
        company = invited[0] if len(invited) == 1 or not form.company.data else None
    if company is None:
        abort(403)
    if not form.validate_on_submit():
        return render_template("challenges/show.html",
                               **_page_context(challenge, answer_form=form)), 422
    if accept and form.scoring.data and form.scoring.data != scoring_of(challenge):
        # Staff changed the scoring after the page was shown: accept only what was seen.
        flash(_("Poängräkningen har ändrats sedan sidan visades. Läs den nya och svara igen."),
              "error")
        return render_template("challenges/show.html", **_page_context(challenge)), 409
    try:
        services.answer_challenge(challenge, company, accept, form.reply.data or "", current_user)
    except services.ChallengeError as exc:
        db.session.rollback()
        challenge = _challenge_or_404(challenge_id)
        if exc.field == "reply":
            form.reply.errors = list(form.reply.errors) + [str(exc)]
        else:
            flash(str(exc), "error")
        return render_template("challenges/show.html",
                               **_page_context(challenge, answer_form=form)), exc.status
    _commit_and_tell()
    flash(_("Ni har antagit utmaningen. Lycka till!") if accept
          else _("Ni har tackat nej till utmaningen."), "success")
    return go(url_for("challenges.show", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/accept")
@login_required
def accept(challenge_id: int):
    """An admin of an invited workplace accepts."""
    return _answer(challenge_id, True)


@bp.post("/challenges/<int:challenge_id>/decline")
@login_required
def decline(challenge_id: int):
    """An admin of an invited workplace declines."""
    return _answer(challenge_id, False)


@bp.post("/challenges/<int:challenge_id>/withdraw")
@login_required
def withdraw(challenge_id: int):
    """The challenger's admin takes the proposal back before it is accepted."""
    challenge = _challenge_or_404(challenge_id)
    if not permissions.is_company_admin(current_user, challenge.challenger):
        abort(403 if queries.can_view(challenge, current_user) else 404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.withdraw_challenge(challenge, current_user)
    except services.ChallengeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return render_template("challenges/show.html",
                               **_page_context(_challenge_or_404(challenge_id))), exc.status
    _commit_and_tell()
    flash(_("Utmaningen är återkallad."), "success")
    return go(url_for("challenges.show", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/scoring")
@login_required
def change_scoring(challenge_id: int):
    """Staff change how a challenge is decided, before it starts."""
    if not permissions.is_staff(current_user):
        abort(403)
    challenge = _challenge_or_404(challenge_id)
    form = ScoringForm()
    if not form.validate_on_submit():
        return render_template("challenges/show.html",
                               **_page_context(challenge, scoring_form=form)), 422
    try:
        services.change_scoring(challenge, form.scoring.data, current_user)
    except services.ChallengeError as exc:
        db.session.rollback()
        challenge = _challenge_or_404(challenge_id)
        form.scoring.errors = list(form.scoring.errors) + [str(exc)]
        if exc.status == 409:  # the form is no longer shown: say it at the top
            flash(str(exc), "error")
        return render_template("challenges/show.html",
                               **_page_context(challenge, scoring_form=form)), exc.status
    _commit_and_tell()
    flash(_("Poängräkningen är ändrad."), "success")
    return go(url_for("challenges.show", challenge_id=challenge.id))
