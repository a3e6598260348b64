"""Writing collection boxes: register, hand over, seal anew, count. Each function enforces
its rule in the caller's transaction: flush, never commit. A count is a cash ledger entry
written by the ledger's own service; its second count attests it (`ledger.confirm_count`)."""

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import audit, clock, notifications
from ..extensions import db
from ..ledger import services as ledger
from ..models import CashBox, CashBoxCount, CashBoxEvent, Company, Membership, Team, User
from ..models.cashbox import BOX_NUMBER_MAX, DEPOSIT_KINDS, DEPOSIT_REFERENCE_MAX, SEAL_MAX
from ..money import format_ore


class BoxError(ValueError):
    """A rule was broken; `field` names the form field the message belongs at."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def clean(text: str | None) -> str:
    """Spaces trimmed and runs of spaces made one."""
    return " ".join((text or "").split())


def _is_colleague(company: Company, user: User | None) -> bool:
    return user is not None and db.session.execute(
        db.select(Membership.id).where(Membership.company_id == company.id,
                                       Membership.user_id == user.id)
    ).first() is not None


def _check_number_and_seal(company: Company, number: str, seal: str,
                           box: CashBox | None = None) -> None:
    if not number:
        raise BoxError(_("Skriv bössans nummer."), "number")
    if len(number) > BOX_NUMBER_MAX:
        raise BoxError(_("Skriv numret med högst %(max)s tecken.", max=BOX_NUMBER_MAX), "number")
    taken = db.session.execute(
        db.select(CashBox.id).where(CashBox.company_id == company.id, CashBox.number == number)
    ).scalar_one_or_none()
    if taken is not None and (box is None or taken != box.id):
        raise BoxError(_("Arbetsplatsen har redan en bössa med nummer %(number)s.",
                         number=number), "number")
    _check_seal(seal)


def _check_seal(seal: str) -> None:
    if not seal:
        raise BoxError(_("Skriv plomberingens nummer."), "seal_number")
    if len(seal) > SEAL_MAX:
        raise BoxError(_("Skriv plomberingens nummer med högst %(max)s tecken.", max=SEAL_MAX),
                       "seal_number")


def register_box(company: Company, team: Team, number: str, seal_number: str, keeper: User,
                 actor: User) -> CashBox:
    """A workplace registers a sealed, numbered box that collects for one of its teams and
    that a colleague keeps."""
    number, seal_number = clean(number), clean(seal_number)
    if team.company_id != company.id:
        raise BoxError(_("Välj ett lag på arbetsplatsen."), "team")
    _check_number_and_seal(company, number, seal_number)
    if not _is_colleague(company, keeper):
        raise BoxError(_("Välj en kollega på arbetsplatsen som har hand om bössan."), "keeper")
    box = CashBox(company_id=company.id, team_id=team.id, number=number,
                  seal_number=seal_number, keeper_id=keeper.id)
    db.session.add(box)
    db.session.flush()
    db.session.add(CashBoxEvent(box_id=box.id, kind="registered", to_user_id=keeper.id,
                                seal_number=seal_number, by_id=actor.id))
    audit.record("cashbox.register", "cash_box", box.id, actor=actor,
                 after={"number": number, "seal_number": seal_number, "team_id": team.id,
                        "keeper_id": keeper.id})
    db.session.flush()
    return box


def _locked(box: CashBox) -> CashBox:
    """The box, re-read and locked until commit, so two handovers cannot both read the
    same keeper."""
    return db.session.execute(
        db.select(CashBox).where(CashBox.id == box.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def hand_over(box: CashBox, to_user: User | None, actor: User) -> CashBox:
    """The box goes to another colleague of the workplace; the history keeps who had it."""
    box = _locked(box)
    if not _is_colleague(box.company, to_user):
        raise BoxError(_("Välj en kollega på arbetsplatsen."), "keeper")
    if to_user.id == box.keeper_id:
        raise BoxError(_("%(name)s har redan bössan.", name=to_user.display_name), "keeper")
    db.session.add(CashBoxEvent(box_id=box.id, kind="handover", from_user_id=box.keeper_id,
                                to_user_id=to_user.id, seal_number=box.seal_number,
                                by_id=actor.id))
    audit.record("cashbox.handover", "cash_box", box.id, actor=actor,
                 before={"keeper_id": box.keeper_id}, after={"keeper_id": to_user.id})
    box.keeper_id = to_user.id
    db.session.flush()
    return box


def reseal(box: CashBox, seal_number: str, actor: User) -> CashBox:
    """The box is sealed anew (after a count, or a broken seal): its new seal number."""
    box = _locked(box)
    seal_number = clean(seal_number)
    _check_seal(seal_number)
    if seal_number == box.seal_number:
        raise BoxError(_("Bössan har redan den plomberingen."), "seal_number")
    db.session.add(CashBoxEvent(box_id=box.id, kind="seal", from_user_id=box.keeper_id,
                                to_user_id=box.keeper_id, seal_number=seal_number,
                                by_id=actor.id))
    audit.record("cashbox.seal", "cash_box", box.id, actor=actor,
                 before={"seal_number": box.seal_number}, after={"seal_number": seal_number})
    box.seal_number = seal_number
    db.session.flush()
    return box


def log_count(box: CashBox, amount_ore: int, counted_on: date, seal_intact: bool,
              deposit_kind: str, deposit_reference: str, deposited_on: date, actor: User,
              idempotency_key: str | None = None) -> CashBoxCount:
    """The first of two colleagues logs a count of the box: a cash entry for the box's team
    that waits for the second colleague's count, and the seal and deposit beside it.

    A repeated post (same key) returns the count recorded the first time."""
    if idempotency_key:
        entry = ledger.entry_for_key(idempotency_key)
        if entry is not None:
            count = db.session.execute(
                db.select(CashBoxCount).where(CashBoxCount.entry_id == entry.id)
            ).scalar_one_or_none()
            if count is None or count.box_id != box.id:
                raise BoxError(_("Formuläret är redan använt. Ladda om sidan och försök igen."),
                               "amount")
            return count
    if deposit_kind not in DEPOSIT_KINDS:
        raise BoxError(_("Välj var pengarna lämnades."), "deposit_kind")
    deposit_reference = clean(deposit_reference)
    if deposit_kind == "bank" and not deposit_reference:
        raise BoxError(_("Skriv numret på bankens insättningskvitto."), "deposit_reference")
    if len(deposit_reference) > DEPOSIT_REFERENCE_MAX:
        raise BoxError(_("Skriv högst %(max)s tecken.", max=DEPOSIT_REFERENCE_MAX),
                       "deposit_reference")
    if counted_on > clock.today():
        raise BoxError(_("Datumet kan inte ligga i framtiden."), "counted_on")
    if deposited_on > clock.today():
        raise BoxError(_("Datumet kan inte ligga i framtiden."), "deposited_on")
    if deposited_on < counted_on:
        raise BoxError(_("Pengarna kan inte ha lämnats före räkningen."), "deposited_on")
    note = _("Bössa %(number)s, plombering %(seal)s", number=box.number, seal=box.seal_number)
    if not seal_intact:
        note += " – " + _("plomberingen var bruten")
    try:
        # Box money is many passers-by's, not the counter's own gift: no giver.
        entry = ledger.log_collection(
            box.team, amount_ore, counted_on, "cash", note, logged_by=actor, giver_id=None,
            idempotency_key=idempotency_key, second_count=True,
        )
    except ledger.LedgerError as exc:
        raise BoxError(str(exc), "amount") from exc
    count = CashBoxCount(box_id=box.id, entry_id=entry.id, seal_number=box.seal_number,
                         seal_intact=seal_intact, deposit_kind=deposit_kind,
                         deposit_reference=deposit_reference, deposited_on=deposited_on)
    db.session.add(count)
    db.session.flush()
    audit.record("cashbox.count", "cash_box", box.id, actor=actor,
                 after={"entry_id": entry.id, "amount_ore": amount_ore,
                        "seal_intact": seal_intact, "deposit_kind": deposit_kind,
                        "deposit_reference": deposit_reference,
                        "deposited_on": deposited_on.isoformat()})
    if not seal_intact:
        _tell_admins_of_broken_seal(box, count, amount_ore, actor)
    return count


def _tell_admins_of_broken_seal(box: CashBox, count: CashBoxCount, amount_ore: int,
                                actor: User) -> None:
    """The workplace's admins hear of a broken seal at once (the mission's staff see it on
    the entry in the queue)."""
    admins = db.session.execute(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == box.company_id, Membership.role == "admin")
    ).scalars().all()
    for admin in admins:
        if admin.id == actor.id:
            continue
        notifications.notify(
            admin,
            _l("Bössa %(number)s räknades med bruten plombering (%(seal)s, %(amount)s).",
               number=box.number, seal=count.seal_number, amount=format_ore(amount_ore)),
            link=url_for("cashboxes.show", box_id=box.id),
            email_subject=_l("En bössa hade bruten plombering"),
        )


def confirm_count(count: CashBoxCount, actor: User):
    """The second colleague confirms the count: the ledger attests the entry (never the
    first counter, never the giver; a 409 for a count someone confirmed first)."""
    return ledger.confirm_count(count.entry_id, actor)
