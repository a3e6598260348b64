"""Logging collections, the verification queue, corrections, history, audit and exports."""


from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import clock, csvexport, notifications
from ..extensions import db, htmx
from ..formatting import kronor
from ..forms import EmptyForm
from ..inputs import int_arg, small_int
from ..models import LedgerEntry, Team
from ..models.ledger import METHODS, STATUSES
from ..permissions import (
    any_company_admin_or_403,
    get_or_404,
    is_company_member,
    is_staff,
    ledger_admin_or_403,
    staff_or_403,
    team_to_log_for_or_404,
)
from ..redirects import go, safe_next
from . import bp, queries, services, totals
from .forms import CollectionForm, CorrectionForm, ExportFilterForm, RejectForm


@bp.app_context_processor
def _ledger_helpers():
    return {"new_collection_form": CollectionForm.fresh,
            "today_iso": lambda: clock.today().isoformat()}


def team_url(team_id: int) -> str:
    """The team page."""
    return url_for("teams.show", ident=team_id)


def _problem(message: str, status: int = 409):
    """A rule refused the action: say why, with a 4xx and nothing saved."""
    db.session.rollback()
    return render_template("ledger/problem.html", message=message), status


def _entry_or_404(entry_id: int) -> LedgerEntry:
    return get_or_404(LedgerEntry, entry_id)


# --- logging -------------------------------------------------------------------------

@bp.get("/teams/<int:team_id>/collections/new")
@login_required
def new_collection(team_id: int):
    """The logging form as a page of its own (also what the form falls back to)."""
    team = team_to_log_for_or_404(current_user, team_id)
    return render_template("ledger/new.html", team=team, form=CollectionForm.fresh(),
                           figures=totals.figures("team", team.id),
                           entries=queries.team_entries(team), team_url=team_url(team.id))


@bp.post("/teams/<int:team_id>/collections")
@login_required
def create_collection(team_id: int):
    """Log money a team collected; htmx gets the fresh form and the new total in place."""
    team = team_to_log_for_or_404(current_user, team_id)
    form = CollectionForm()
    if not form.validate_on_submit():
        return _form_again(team, form, 422)
    replay = None
    try:
        # Written straight away: a key that was already used (a double click, a retried
        # post) breaks the unique index, and only then is the first entry looked up.
        entry = services.record_collection(
            team, form.amount.ore, form.collected_on.day, form.method.data, form.note.data or "",
            logged_by=current_user, idempotency_key=form.idempotency_key.data,
        )
        # What the answer needs, read before the commit expires the entry: reading it after
        # would load it again.
        entry_team_id, awaiting_count = entry.team_id, entry.awaiting_count
        db.session.commit()
    except services.LedgerError as exc:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, str(exc)]
        return _form_again(team, form, 422)
    except IntegrityError:
        # The key is in the ledger already, from an earlier post or one at the same moment.
        db.session.rollback()
        entry = services.entry_for_key(form.idempotency_key.data)
        if entry is None:
            raise
        replay = entry
        entry_team_id, awaiting_count = entry.team_id, entry.awaiting_count
    if entry_team_id != team_id:
        abort(409)
    if htmx:
        response = make_response(render_template(
            "ledger/_logged.html", team=team, entry=entry, replay=replay is not None,
            form=CollectionForm.fresh(), figures=totals.figures("team", team.id),
        ))
        response.headers["HX-Trigger"] = "collectionLogged"
        return response
    if replay is not None:
        flash(_("Den här insamlingen var redan registrerad; den räknas en gång."), "info")
    elif awaiting_count:
        flash(_("Tack! Insamlingen är registrerad. Be en kollega räkna kontanterna en gång till "
                "innan de kan verifieras."), "success")
    else:
        flash(_("Tack! Insamlingen är registrerad och syns direkt som rapporterad."), "success")
    return redirect(team_url(team_id), code=303)


def _form_again(team: Team, form: CollectionForm, status: int):
    if htmx:
        return render_template("ledger/_log_form.html", team=team, form=form), status
    return render_template("ledger/new.html", team=team, form=form,
                           figures=totals.figures("team", team.id),
                           entries=queries.team_entries(team), team_url=team_url(team.id)), status


# --- my entries and the second count ------------------------------------------------------

@bp.get("/ledger/mine")
@login_required
def mine():
    """What I logged, with status and any reason; cash waiting for my second count."""
    entries = queries.entries_logged_by(current_user)
    return render_template(
        "ledger/mine.html", entries=entries, to_count=queries.awaiting_count(current_user),
        reversed_ids=queries.reversed_ids([e.id for e in entries]), form=EmptyForm(),
    )


@bp.post("/ledger/entries/<int:entry_id>/withdraw")
@login_required
def withdraw(entry_id: int):
    """The logger takes a pending entry back (a reversal; nothing is deleted)."""
    entry = _entry_or_404(entry_id)
    if entry.logged_by_id != current_user.id:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_entry(entry, current_user)
    except services.LedgerError as exc:
        return _problem(str(exc))
    db.session.commit()
    flash(_("Posten är tillbakatagen och räknas inte längre."), "success")
    return go(url_for("ledger.mine"), code=303)


@bp.post("/ledger/entries/<int:entry_id>/confirm-count")
@login_required
def confirm_count(entry_id: int):
    """A second colleague confirms they counted the cash too."""
    entry = _entry_or_404(entry_id)
    if not (is_staff(current_user) or is_company_member(current_user, entry.company)):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_count(entry, current_user)
    except services.LedgerError as exc:
        return _problem(str(exc))
    db.session.commit()
    flash(_("Tack! Kontanterna är kontrollräknade och posten går vidare till verifiering."),
          "success")
    return go(url_for("ledger.mine"), code=303)


# --- the queue: verify and reject ----------------------------------------------------------

def _page_number() -> int:
    """The queue's page from the address: anything but a number is the first page, and a
    number past the end (however long) is clamped to the last page by the query."""
    value = request.args.get("page", "")
    if not (value.isascii() and value.isdigit()):
        return 1
    value = value.lstrip("0")
    if not value:
        return 1
    return int(value) if len(value) <= 9 else 10**9


def _company_filter() -> int | None:
    # The queue reads it from its address; a verify post from the queue sends it along, so
    # an htmx answer counts the same queue the page shows.
    return small_int(request.values.get("company"))


@bp.get("/ledger/queue")
@login_required
def queue():
    """Pending entries to verify, a page at a time: admins their workplaces, staff everything."""
    any_company_admin_or_403(current_user)
    company_id = _company_filter()
    if company_id is not None and not is_staff(current_user) and \
            company_id not in queries.admin_company_ids(current_user):
        abort(403)
    # A page that is not a number is the first page; one past the end, the last.
    page = queries.queue(current_user, company_id, _page_number())
    return render_template(
        "ledger/queue.html", page=page, entries=page.entries,
        companies=queries.companies_for_filter(current_user), company_id=company_id,
        staff=is_staff(current_user), here=_queue_url(company_id, page.page),
    )


def _queue_url(company_id: int | None, page: int = 1) -> str:
    """The queue with its filter and page in the query string (left out when the default)."""
    return url_for("ledger.queue", company=company_id, page=page if page > 1 else None)


@bp.post("/ledger/entries/<int:entry_id>/verify")
@login_required
def verify(entry_id: int):
    """Confirm that the money arrived; from the queue with htmx, the row answers in place.

    The service locks the entry: of two people verifying at once, the second gets a 409."""
    entry = _entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.verify_entry(entry, current_user)
        _tell_verified(entry)
    except services.LedgerError as exc:
        if htmx:
            db.session.rollback()
            return _queue_row("ledger/_queue_problem.html", entry_id, message=str(exc)), 409
        return _problem(str(exc))
    amount_ore, team_name = entry.amount_ore, entry.team.name
    db.session.commit()
    if htmx:
        return _queue_row("ledger/_queue_verified.html", entry_id, amount_ore=amount_ore,
                          team_name=team_name)
    flash(_("Posten på %(amount)s är verifierad.", amount=_kr(amount_ore)), "success")
    return go(_back_to_queue(), code=303)


def _queue_row(template: str, entry_id: int, **context) -> str:
    """The row that takes a handled entry's place in the queue, and the queue's new count
    (an out-of-band swap)."""
    company_id = _company_filter()
    return render_template(
        template, entry_id=entry_id, staff=is_staff(current_user), company_id=company_id,
        total=queries.queue_count(current_user, company_id), **context,
    )


@bp.post("/ledger/verify")
@login_required
def verify_many():
    """Staff verify several entries at once: all of them, or none when one cannot be."""
    staff_or_403(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = [i for i in map(small_int, request.form.getlist("entry_ids")) if i is not None]
    if not ids:
        return _problem(_("Markera minst en post att verifiera."), 422)
    # In id order, so that two bulk verifications lock shared entries in the same order.
    entries = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.id.in_(ids)).order_by(LedgerEntry.id)
    ).scalars().all()
    if len(entries) != len(set(ids)):
        return _problem(_("Någon av posterna finns inte längre. Ladda om kön."), 404)
    for entry in entries:
        try:
            services.verify_entry(entry, current_user)
            _tell_verified(entry)
        except services.LedgerError as exc:
            return _problem(_("Post %(id)s: %(problem)s Ingen av posterna verifierades.",
                              id=entry.id, problem=str(exc)))
    db.session.commit()
    flash(_("%(count)s poster är verifierade.", count=len(entries)), "success")
    return go(_back_to_queue(), code=303)


@bp.route("/ledger/entries/<int:entry_id>/reject", methods=["GET", "POST"])
@login_required
def reject(entry_id: int):
    """Turn a pending entry down, with a reason the logger gets to read."""
    entry = _entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    form = RejectForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("ledger/reject.html", entry=entry, form=form,
                               back=_back_to_queue()), status
    try:
        services.reject_entry(entry, current_user, form.reason.data)
    except services.LedgerError as exc:
        return _problem(str(exc))
    if entry.logged_by is not None:
        notifications.notify(
            entry.logged_by,
            _l("Er insamling på %(amount)s (%(day)s, %(team)s) avvisades. Orsak: %(reason)s",
               amount=_kr(entry.amount_ore), day=entry.collected_on.isoformat(),
               team=entry.team.name, reason=entry.status_reason),
            link=url_for("ledger.mine"),
            email_subject=_l("En insamling avvisades"),
        )
    db.session.commit()
    flash(_("Posten är avvisad och personen som registrerade den har fått orsaken."), "success")
    return go(_back_to_queue(), code=303)


def _tell_verified(entry: LedgerEntry) -> None:
    if entry.logged_by is not None:
        notifications.notify(
            entry.logged_by,
            _l("Er insamling på %(amount)s (%(day)s) är verifierad. Tack!",
               amount=_kr(entry.amount_ore), day=entry.collected_on.isoformat()),
            link=url_for("ledger.mine"),
        )


def _back_to_queue() -> str:
    """Where the queue was left (its filter and page), from the form or the address; only
    a path inside the ledger, so the parameter cannot send anyone elsewhere."""
    return safe_next(request.values.get("next"), url_for("ledger.queue"), under="/ledger/")


def _kr(ore: int) -> LazyString:
    """An amount for a notification, formatted when the text is written in the recipient's
    language ("1 250 kr" in Swedish, "1,250 kr" in English)."""
    return LazyString(kronor, ore)


# --- corrections and history ------------------------------------------------------------

@bp.route("/ledger/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required
def correct(entry_id: int):
    """An admin replaces an entry: its reversal plus a new, linked entry."""
    entry = _entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    form = CorrectionForm()
    if not form.is_submitted():
        form.amount.data = _input(entry.amount_ore)
        form.collected_on.data = entry.collected_on.isoformat()
        form.method.data = entry.method
        form.note.data = entry.note
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("ledger/correct.html", entry=entry, form=form), status
    try:
        new = services.correct_entry(
            entry, current_user, form.amount.ore, form.collected_on.day, form.method.data,
            form.note.data or "", form.reason.data,
        )
    except services.LedgerError as exc:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(exc)]
        return render_template("ledger/correct.html", entry=entry, form=form), exc.status
    db.session.commit()
    flash(_("Posten är rättad: den gamla är återförd och den nya räknas i stället."),
          "success")
    return go(url_for("ledger.entry", entry_id=new.id), code=303)


def _input(ore: int) -> str:
    from ..money import ore_to_input

    return ore_to_input(ore)


@bp.get("/ledger/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    """An entry's whole history: linked entries and every audit event about them."""
    entry = _entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    entries, events = queries.history(entry)
    return render_template(
        "ledger/entry.html", entry=entry, entries=entries, events=events,
        reversed_ids=queries.reversed_ids([e.id for e in entries]), form=EmptyForm(),
    )


# --- audit trail ---------------------------------------------------------------------------

@bp.get("/ledger/audit")
@login_required
def audit():
    """The audit trail for staff, newest first."""
    staff_or_403(current_user)
    page = int_arg("page", 1, minimum=1, maximum=10**6 - 1)
    action = request.args.get("action", "").strip()[:40] or None
    per_page = 100
    events = queries.audit_events(per_page + 1, (page - 1) * per_page, action)
    return render_template("ledger/audit.html", events=events[:per_page], page=page,
                           has_more=len(events) > per_page, action=action or "")


@bp.get("/ledger/audit.csv")
@login_required
def audit_csv():
    """Every audit event as CSV (streamed)."""
    staff_or_403(current_user)
    header = ["id", "tid (UTC)", "vem", "händelse", "gäller", "id", "före", "efter", "adress"]
    rows = (
        [r.id, r.created_at, r.actor_email, r.action, r.subject_type, r.subject_id,
         r.before, r.after, r.client_addr]
        for r in queries.all_audit_events()
    )
    return csvexport.response(header, rows, "lokalamal-granskning.csv")


# --- export --------------------------------------------------------------------------------

def _export_form() -> ExportFilterForm:
    form = ExportFilterForm(request.args)
    form.set_options(queries.goals(), queries.companies_for_filter(current_user),
                     _("Alla") if is_staff(current_user) else _("Mina arbetsplatser"))
    return form


@bp.get("/ledger/export")
@login_required
def export():
    """Choose what to export."""
    any_company_admin_or_403(current_user)
    form = _export_form()
    if request.args and not form.validate():
        return render_template("ledger/export.html", form=form), 422
    return render_template("ledger/export.html", form=form, query=request.query_string.decode())


@bp.get("/ledger/export.csv")
@login_required
def export_csv():
    """The ledger as CSV for Excel: admins their workplaces, staff everything."""
    any_company_admin_or_403(current_user)
    form = _export_form()
    if not form.validate():
        return render_template("ledger/export.html", form=form), 422
    if form.company.data:
        company_ids = [int(form.company.data)]
    elif is_staff(current_user):
        company_ids = None
    else:
        company_ids = queries.admin_company_ids(current_user)
    # The file is for the mission's Swedish bookkeeping: headers and labels stay Swedish.
    with force_locale("sv"):
        method_names = {key: str(label) for key, label in METHODS.items()}
        status_names = {key: str(label) for key, label in STATUSES.items()}
    header = ["post", "insamlat datum", "registrerad (UTC)", "arbetsplats", "lag", "mål",
              "belopp (kr)", "sätt", "status", "orsak", "anteckning", "registrerad av",
              "återför post", "rättar post"]
    rows = (
        [r.id, r.collected_on, r.created_at, r.company, r.team, f"#{r.goal_number} {r.goal}",
         csvexport.kronor_cell(r.amount_ore), method_names.get(r.method, r.method),
         status_names.get(r.status, r.status), r.status_reason, r.note, r.logged_by,
         r.reverses_id, r.corrects_id]
        for r in queries.export_rows(
            company_ids, form.date_from.day, form.date_to.day,
            int(form.goal.data) if form.goal.data else None,
            int(form.team.data) if form.team.data else None,
            form.method.data or None, form.status.data or None,
        )
    )
    return csvexport.response(header, rows, f"lokalamal-insamlingar-{clock.today().isoformat()}.csv")

