"""The queue: what waits to be attested by a workplace or received by the mission.

Workplace admins attest what their colleagues reported; the mission's staff mark money
received (one entry, or many with one reference) and reject what never came. The rules of
who may do what live in the ledger's services; these views only ask them."""

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from ... import notifications
from ...extensions import db, htmx
from ...formatting import day_text
from ...forms import EmptyForm
from ...inputs import small_int
from ...models import LedgerEntry
from ...permissions import any_company_admin_or_403, is_staff, ledger_admin_or_403, staff_or_403
from ...redirects import go, safe_next
from .. import bp, queries, services
from ..forms import ReceiveForm, RejectForm
from .common import entry_or_404, kr, problem


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
    """What waits, a page at a time: admins their workplaces, staff everything."""
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
        missing=services.missing_steps,
        attest_refusal=_attest_refusal_for(current_user), receive_refusal=services.receive_refusal,
    )


def _attest_refusal_for(user):
    """The attest rule for each row of one page, with the person's workplaces read once
    (not a query per row)."""
    admin_of = set(queries.admin_company_ids(user))
    return lambda entry, actor: services.attest_refusal(entry, actor, admin_of=admin_of)


def _queue_url(company_id: int | None, page: int = 1) -> str:
    """The queue with its filter and page in the query string (left out when the default)."""
    return url_for("ledger.queue", company=company_id, page=page if page > 1 else None)


@bp.post("/ledger/entries/<int:entry_id>/attest")
@login_required
def attest(entry_id: int):
    """The workplace says the entry is genuine; from the queue with htmx, the row answers
    in place. Who may is the service's rule (403 with the reason); of two people attesting
    at once, the second gets a 409."""
    entry = entry_or_404(entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.attest_entry(entry, current_user)
        _tell(entry, _l("Er insamling på %(amount)s (%(day)s) är attesterad av arbetsplatsen. "
                        "Den räknas som mottagen när pengarna har kommit in till "
                        "stadsmissionen.", amount=kr(entry.amount_ore),
                        day=day_text(entry.collected_on)))
    except services.LedgerError as exc:
        return _refused(entry_id, exc)
    amount_ore, team_name = entry.amount_ore, entry.team.name
    db.session.commit()
    message = _("%(amount)s från %(team)s är attesterat.", amount=kr(amount_ore), team=team_name)
    if htmx:
        return _queue_row("ledger/_queue_handled.html", entry_id, message=message,
                          badge=_("Attesterad"))
    flash(message, "success")
    return go(_back_to_queue(), code=303)


@bp.route("/ledger/entries/<int:entry_id>/receive", methods=["GET", "POST"])
@login_required
def receive(entry_id: int):
    """The mission has the money: staff mark the entry received, with the receipt's or
    bank row's reference and the day it came in."""
    entry = entry_or_404(entry_id)
    refusal = services.receive_refusal(entry, current_user)
    if refusal:
        return _refused(entry_id, services.Refused(refusal))
    form = ReceiveForm() if request.method == "POST" else ReceiveForm.fresh()
    if not form.validate_on_submit():
        if htmx and form.is_submitted():
            db.session.rollback()
            return _queue_row("ledger/_queue_problem.html", entry_id,
                              message=" ".join(_field_errors(form))), 422
        status = 422 if form.is_submitted() else 200
        return render_template("ledger/receive.html", entry=entry, form=form,
                               back=_back_to_queue()), status
    try:
        services.receive_entry(entry, current_user, form.reference.data, form.received_on.day)
        _tell_received(entry)
    except services.LedgerError as exc:
        if not htmx and exc.status == 422:
            db.session.rollback()
            form.reference.errors = [*form.reference.errors, str(exc)]
            return render_template("ledger/receive.html", entry=entry, form=form,
                                   back=_back_to_queue()), 422
        return _refused(entry_id, exc)
    amount_ore, team_name = entry.amount_ore, entry.team.name
    db.session.commit()
    message = _("%(amount)s från %(team)s är mottaget av stadsmissionen.",
                amount=kr(amount_ore), team=team_name)
    if htmx:
        return _queue_row("ledger/_queue_handled.html", entry_id, message=message,
                          badge=_("Mottagen"))
    flash(message, "success")
    return go(_back_to_queue(), code=303)


def _field_errors(form) -> list[str]:
    return [str(error) for field in form for error in field.errors]


def _refused(entry_id: int, exc: services.LedgerError):
    """A refusal (403), a lost race (409) or a broken rule (422): nothing is saved; with
    htmx the reason takes the row's place in the queue."""
    db.session.rollback()
    if htmx:
        return _queue_row("ledger/_queue_problem.html", entry_id, message=str(exc)), exc.status
    return problem(str(exc), exc.status)


def _queue_row(template: str, entry_id: int, **context) -> str:
    """The row that takes a handled entry's place in the queue, and the queue's new count
    (an out-of-band swap)."""
    company_id = _company_filter()
    return render_template(
        template, entry_id=entry_id, staff=is_staff(current_user), company_id=company_id,
        total=queries.queue_count(current_user, company_id), **context,
    )


@bp.post("/ledger/receive")
@login_required
def receive_many():
    """Staff mark several entries received with one reference (a deposit or a bank
    statement): all of them, or none when one cannot be."""
    staff_or_403(current_user)
    form = ReceiveForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return problem(" ".join(_field_errors(form)), 422)
    ids = [i for i in map(small_int, request.form.getlist("entry_ids")) if i is not None]
    if not ids:
        return problem(_("Markera minst en post som har kommit in."), 422)
    try:
        entries = services.receive_entries(ids, current_user, form.reference.data,
                                           form.received_on.day)
    except services.LedgerError as exc:
        db.session.rollback()
        return problem(str(exc), exc.status)
    for entry in entries:
        _tell_received(entry)
    db.session.commit()
    flash(ngettext("%(num)s post är mottagen av stadsmissionen.",
                   "%(num)s poster är mottagna av stadsmissionen.", len(entries)), "success")
    return go(_back_to_queue(), code=303)


@bp.route("/ledger/entries/<int:entry_id>/reject", methods=["GET", "POST"])
@login_required
def reject(entry_id: int):
    """Turn a waiting entry down, with a reason the logger gets to read."""
    entry = entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    form = RejectForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("ledger/reject.html", entry=entry, form=form,
                               back=_back_to_queue()), status
    try:
        services.reject_entry(entry, current_user, form.reason.data)
    except services.LedgerError as exc:
        return problem(str(exc), exc.status)
    if entry.logged_by is not None:
        notifications.notify(
            entry.logged_by,
            _l("Er insamling på %(amount)s (%(day)s, %(team)s) avvisades. Orsak: %(reason)s",
               amount=kr(entry.amount_ore), day=day_text(entry.collected_on),
               team=entry.team.name, reason=entry.status_reason),
            link=url_for("ledger.mine"),
            email_subject=_l("En insamling avvisades"),
        )
    db.session.commit()
    flash(_("Posten är avvisad och personen som registrerade den har fått orsaken."), "success")
    return go(_back_to_queue(), code=303)


def _tell(entry: LedgerEntry, message) -> None:
    """Tell the person who logged the entry what happened to it (`message` is lazy: written
    in their language when it is sent)."""
    if entry.logged_by is not None:
        notifications.notify(entry.logged_by, message, link=url_for("ledger.mine"))


def _tell_received(entry: LedgerEntry) -> None:
    _tell(entry, _l("Er insamling på %(amount)s (%(day)s) har kommit in till "
                    "stadsmissionen. Tack!", amount=kr(entry.amount_ore),
                    day=day_text(entry.collected_on)))


def _back_to_queue() -> str:
    """Where the queue was left (its filter and page), from the form or the address; only
    a path inside the ledger, so the parameter cannot send anyone elsewhere."""
    return safe_next(request.values.get("next"), url_for("ledger.queue"), under="/ledger/")
