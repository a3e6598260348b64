"""Payroll giving: the workplace's scheme, employees' pledges and the monthly run.

Every function enforces its rule and flushes; the route commits.
"""

from datetime import date

from sqlalchemy.exc import IntegrityError

from .. import audit
from ..extensions import db
from ..i18n_request import _
from ..ledger import services as ledger
from ..models import (
    Company,
    Goal,
    LedgerEntry,
    Membership,
    PayrollDeduction,
    PayrollRun,
    PayrollScheme,
    Pledge,
    Team,
    TeamMember,
)
from ..models.base import utcnow
from ..models.company import name_key
from ..people_lock import lock_people
from ..text import slugify, unique_slug
from . import months

MAX_MONTHLY_ORE = 10_000_000  # 100 000 kr a month is more than anyone pledges
MIN_PERMILLE_TENTHS = 1  # 0,1 ‰
MAX_PERMILLE_TENTHS = 1000  # 100 ‰


class PayrollError(ValueError):
    """A payroll rule was broken; the message is Swedish and fit for the user."""


def scheme_for(company: Company) -> PayrollScheme | None:
    """The workplace's payroll giving settings, or None if never set up."""
    return db.session.execute(
        db.select(PayrollScheme).where(PayrollScheme.company_id == company.id)
    ).scalar_one_or_none()


def _locked_scheme(company: Company) -> PayrollScheme | None:
    """The scheme, locked until commit (SELECT ... FOR UPDATE; SQLite has one writer).

    Pledges are made, changed and stopped, and months confirmed, one at a time per
    workplace, each deciding from what was committed before it: a pledge sent twice at
    once is made once (never two deductions a month), and a pledge stopped while its month
    is confirmed either ends before that month or is deducted for it, never both."""
    # The workplace's people first (who is a member decides who may pledge), then the
    # scheme: always in that order, so that removing someone, which ends their pledges,
    # never waits on a payroll change that waits on it.
    lock_people(company.id)
    return db.session.execute(
        db.select(PayrollScheme).where(PayrollScheme.company_id == company.id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def save_scheme(company: Company, *, enabled: bool, allow_fixed: bool, allow_permille: bool,
                min_monthly_ore: int, closing_day: int, uses_employee_numbers: bool,
                actor) -> PayrollScheme:
    """Turn payroll giving on or off and set its forms, minimum and closing day."""
    if enabled and not (allow_fixed or allow_permille):
        raise PayrollError(_("Välj minst en form: fast belopp eller promille av lönen."))
    if not 0 <= min_monthly_ore <= MAX_MONTHLY_ORE:
        raise PayrollError(_("Lägsta belopp ska vara mellan 0 och 100 000 kr."))
    if not 1 <= closing_day <= 28:
        raise PayrollError(_("Lönebrytdagen ska vara en dag mellan 1 och 28."))
    scheme = scheme_for(company)
    before = None
    if scheme is None:
        scheme = PayrollScheme(company_id=company.id)
        db.session.add(scheme)
    else:
        before = _scheme_snapshot(scheme)
    scheme.enabled = enabled
    scheme.allow_fixed = allow_fixed
    scheme.allow_permille = allow_permille
    scheme.min_monthly_ore = min_monthly_ore
    scheme.closing_day = closing_day
    scheme.uses_employee_numbers = uses_employee_numbers
    db.session.flush()
    audit.record("payroll.scheme", "company", company.id, actor=actor, before=before,
                 after=_scheme_snapshot(scheme))
    return scheme


def _scheme_snapshot(scheme: PayrollScheme) -> dict:
    return {k: getattr(scheme, k) for k in (
        "enabled", "allow_fixed", "allow_permille", "min_monthly_ore", "closing_day",
        "uses_employee_numbers")}


def confirmed_months(company: Company) -> set[str]:
    return set(db.session.execute(
        db.select(PayrollRun.month).where(PayrollRun.company_id == company.id)
    ).scalars())


def next_payroll_month(company: Company, scheme: PayrollScheme, today: date) -> str:
    """The first month whose payroll can still change: not closed, not confirmed."""
    month = months.month_of(today)
    if today.day > scheme.closing_day:
        month = months.next_month(month)
    done = confirmed_months(company)
    while month in done:
        month = months.next_month(month)
    return month


def current_pledge(user, company: Company, from_month: str) -> Pledge | None:
    """The pledge of `user` at `company` that runs in `from_month` or later."""
    return db.session.execute(
        db.select(Pledge).where(
            Pledge.user_id == user.id, Pledge.company_id == company.id,
            (Pledge.end_month.is_(None)) | (Pledge.end_month >= from_month),
        ).order_by(Pledge.id.desc()).limit(1)
    ).scalar_one_or_none()


def team_of(user_id: int, company_id: int) -> Team | None:
    return db.session.execute(
        db.select(Team).join(TeamMember, TeamMember.team_id == Team.id).where(
            TeamMember.user_id == user_id, TeamMember.company_id == company_id)
    ).scalar_one_or_none()


def make_pledge(user, company: Company, *, kind: str, amount_ore: int | None = None,
                permille_tenths: int | None = None, goal_id: int | None = None,
                employee_number: str = "", start_month: str | None = None,
                today: date, replacing: Pledge | None = None) -> Pledge:
    """Pledge a monthly payroll gift from the next payroll month (or a later start)."""
    scheme = _locked_scheme(company)
    if scheme is None or not scheme.enabled:
        raise PayrollError(_("Din arbetsplats erbjuder inte löneavdrag här ännu."))
    if db.session.execute(db.select(Membership.id).where(
            Membership.user_id == user.id, Membership.company_id == company.id)).first() is None:
        raise PayrollError(_("Du behöver vara med i arbetsplatsen för att ge via lönen."))
    first = next_payroll_month(company, scheme, today)
    start_month = start_month or first
    if not months.is_month(start_month):
        raise PayrollError(_("Skriv startmånaden som år och månad, till exempel 2026-10."))
    if start_month < first:
        raise PayrollError(
            _("Lönen för den månaden är redan stängd. Tidigast %(month)s.",
              month=months.display(first)))
    if kind == "fixed":
        if not scheme.allow_fixed:
            raise PayrollError(_("Arbetsplatsen erbjuder inte fasta belopp, bara promille."))
        if amount_ore is None:
            raise PayrollError(_("Skriv hur mycket du vill ge varje månad."))
        if amount_ore <= 0:
            raise PayrollError(_("Beloppet måste vara större än noll."))
        if amount_ore > MAX_MONTHLY_ORE:
            raise PayrollError(_("Det är mer än vi tar emot via lönen: högst 100 000 kr i månaden."))
        if amount_ore < scheme.min_monthly_ore:
            from ..money import format_ore

            raise PayrollError(
                _("Arbetsplatsens lägsta belopp är %(amount)s i månaden.",
                  amount=format_ore(scheme.min_monthly_ore)))
        permille_tenths = None
    elif kind == "permille":
        if not scheme.allow_permille:
            raise PayrollError(_("Arbetsplatsen erbjuder inte promille av lönen, bara fasta belopp."))
        if permille_tenths is None:
            raise PayrollError(_("Skriv hur många promille av lönen du vill ge."))
        if not MIN_PERMILLE_TENTHS <= permille_tenths <= MAX_PERMILLE_TENTHS:
            raise PayrollError(_("Promillen ska vara mellan 0,1 och 100 ‰."))
        amount_ore = None
    else:
        raise PayrollError(_("Välj fast belopp eller promille av lönen."))
    employee_number = (employee_number or "").strip()
    if scheme.uses_employee_numbers and not employee_number:
        raise PayrollError(_("Skriv ditt anställningsnummer, så hittar lönekontoret dig."))
    if team_of(user.id, company.id) is None:
        if goal_id is None or db.session.get(Goal, goal_id) is None:
            raise PayrollError(_("Du är inte med i något lag: välj vilket mål gåvan ska gå till."))
    else:
        goal_id = None
    existing = current_pledge(user, company, start_month)
    if existing is not None and existing is not replacing:
        raise PayrollError(_("Du har redan ett löneavdrag här. Ändra eller avsluta det i stället."))
    pledge = Pledge(company_id=company.id, user_id=user.id, kind=kind, amount_ore=amount_ore,
                    permille_tenths=permille_tenths, goal_id=goal_id,
                    employee_number=employee_number, start_month=start_month)
    db.session.add(pledge)
    db.session.flush()
    audit.record("payroll.pledge", "pledge", pledge.id, actor=user, after={
        "kind": kind, "amount_ore": amount_ore, "permille_tenths": permille_tenths,
        "start_month": start_month, "replaces": getattr(replacing, "id", None)})
    return pledge


def stop_pledge(pledge: Pledge, actor, today: date) -> Pledge:
    """End a pledge before the next payroll month; months already run stay as they are."""
    scheme = _locked_scheme(pledge.company)
    db.session.refresh(pledge)  # stopped or changed a moment ago?
    first = next_payroll_month(pledge.company, scheme, today) if scheme else months.month_of(today)
    if pledge.end_month is not None and pledge.end_month < first:
        raise PayrollError(_("Löneavdraget är redan avslutat."))
    before = {"end_month": pledge.end_month}
    pledge.end_month = months.previous_month(first)
    pledge.stopped_at = utcnow()
    db.session.flush()
    audit.record("payroll.pledge_stop", "pledge", pledge.id, actor=actor, before=before,
                 after={"end_month": pledge.end_month})
    return pledge


def end_pledges_of(user, company: Company, actor, today: date) -> int:
    """Someone who leaves the workplace gives nothing more through its payroll: each of
    their pledges that still runs ends before the next payroll month (months confirmed
    stay as they are). How many ended."""
    scheme = _locked_scheme(company)
    first = next_payroll_month(company, scheme, today) if scheme else months.month_of(today)
    running = db.session.execute(
        db.select(Pledge).where(
            Pledge.user_id == user.id, Pledge.company_id == company.id,
            (Pledge.end_month.is_(None)) | (Pledge.end_month >= first))
        .execution_options(populate_existing=True)).scalars().all()
    for pledge in running:
        stop_pledge(pledge, actor, today)
    return len(running)


def change_pledge(pledge: Pledge, actor, today: date, **values) -> Pledge:
    """Replace a pledge from the next payroll month: the old one ends, a new one starts."""
    scheme = _locked_scheme(pledge.company)
    db.session.refresh(pledge)  # stopped or changed a moment ago?
    if scheme is None or not scheme.enabled:
        raise PayrollError(_("Din arbetsplats erbjuder inte löneavdrag här ännu."))
    first = next_payroll_month(pledge.company, scheme, today)
    if pledge.end_month is not None and pledge.end_month < first:
        raise PayrollError(_("Löneavdraget är redan avslutat; gör ett nytt i stället."))
    new = make_pledge(actor, pledge.company, start_month=max(first, pledge.start_month),
                      today=today, replacing=pledge, **values)
    pledge.end_month = months.previous_month(new.start_month)
    pledge.stopped_at = utcnow()
    db.session.flush()
    return new


def pledges_in(company: Company, month: str) -> list[Pledge]:
    """The pledges that run in a month, of people still in the workplace, in name order."""
    from ..models import User

    return list(db.session.execute(
        db.select(Pledge).join(User, User.id == Pledge.user_id)
        .join(Membership, (Membership.user_id == Pledge.user_id)
              & (Membership.company_id == Pledge.company_id)).where(
            Pledge.company_id == company.id, Pledge.start_month <= month,
            (Pledge.end_month.is_(None)) | (Pledge.end_month >= month),
        ).order_by(User.display_name, Pledge.id)
        # As committed: confirm_month reads them again under its lock.
        .execution_options(populate_existing=True)
    ).scalars())


def goal_team(company: Company, goal: Goal) -> Team:
    """The workplace's team for payroll gifts of people without a team, one per goal."""
    name = f"Löneavdrag till {goal.title}"
    team = db.session.execute(db.select(Team).where(
        Team.company_id == company.id, Team.name_key == name_key(name))).scalar_one_or_none()
    if team is None:
        slug = unique_slug(slugify(f"{name}-{company.slug}", 150), lambda s: db.session.execute(
            db.select(Team.id).where(Team.slug == s)).first() is not None)
        team = Team(company_id=company.id, goal_id=goal.id, name=name, name_key=name_key(name),
                    slug=slug, reference=f"P{company.id}G{goal.number}"[:12],
                    pitch="Löneavdrag från kollegor som inte är med i något lag.")
        db.session.add(team)
        db.session.flush()
    return team


def _gift_team(pledge: Pledge, company: Company) -> Team | None:
    """The team a pledge's gift counts for this month, or None when there is none.

    A gift counts for the team the giver is in when it is booked. A giver without a team
    gives through the workplace's team for a goal: the goal chosen on the pledge, else the
    goal their payroll gifts here last went to (they pledged in a team and left it; leaving
    takes nothing along, and the gift keeps going to the same goal). A giver who left a team
    before their first gift was booked has neither.
    """
    team = team_of(pledge.user_id, company.id)
    if team is not None:
        return team
    goal_id = pledge.goal_id or db.session.execute(
        db.select(LedgerEntry.goal_id)
        .join(PayrollDeduction, PayrollDeduction.entry_id == LedgerEntry.id)
        .join(PayrollRun, PayrollRun.id == PayrollDeduction.run_id)
        .where(PayrollDeduction.user_id == pledge.user_id, PayrollRun.company_id == company.id)
        .order_by(PayrollDeduction.month.desc(), PayrollDeduction.id.desc()).limit(1)
    ).scalar()
    goal = db.session.get(Goal, goal_id) if goal_id is not None else None
    return goal_team(company, goal) if goal is not None else None


def not_booked_reason(name: str) -> str:
    """Why a pledge's gift was not booked: the giver has neither a team nor a goal."""
    return _("%(name)s är inte med i något lag och har inget mål för gåvan, så den bokades "
             "inte. Be personen gå med i ett lag eller välja ett mål, och registrera "
             "beloppet som en insamling när det är klart.", name=name)


def confirm_month(company: Company, month: str, amounts: dict[int, int], actor,
                  today: date) -> tuple[PayrollRun, list[Pledge]]:
    """Turn a month's pledges into payroll collections, once; the run and the
    pledges that could not be booked (their giver has no team and no goal).

    `amounts` holds the sums for per-mille pledges (0 = no deduction that month). Each
    collection has the idempotency key payroll:<pledge>:<month>, and the run is unique per
    workplace and month, so a second confirmation writes nothing. Every line is checked
    and its team found before anything is written.

    The gifts are attested: the employer's payroll has taken them from the salaries. They
    are received when the mission has the employer's transfer for the month.
    """
    scheme = _locked_scheme(company)
    if scheme is None or not scheme.enabled:
        raise PayrollError(_("Löneavdrag är inte påslaget för arbetsplatsen."))
    if not months.is_month(month):
        raise PayrollError(_("Okänd månad."))
    if month > months.month_of(today):
        raise PayrollError(_("Månaden har inte kommit än; den kan bekräftas när lönen är klar."))
    day = months.pay_day(month, scheme.closing_day)
    if day > today:  # the gifts are dated on it, and the ledger takes no future dates
        raise PayrollError(_("Lönen för %(month)s dras den %(day)s; bekräfta månaden då.",
                             month=months.label(month), day=day.day))
    pledges = pledges_in(company, month)
    lines = []
    for pledge in pledges:
        amount = pledge.amount_ore if pledge.kind == "fixed" else amounts.get(pledge.id)
        if amount is None:
            raise PayrollError(_("Skriv beloppet för %(name)s.", name=pledge.user.display_name))
        if amount < 0 or amount > MAX_MONTHLY_ORE:
            raise PayrollError(_("Beloppet för %(name)s är inte rimligt.", name=pledge.user.display_name))
        lines.append((pledge, amount))
    run = PayrollRun(company_id=company.id, month=month, confirmed_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        raise PayrollError(_("Månaden är redan bekräftad. Rätta den genom att återta poster.")) from None
    booked, not_booked = [], []
    for pledge, amount in lines:
        if amount == 0:
            continue
        team = _gift_team(pledge, company)
        if team is None:
            not_booked.append(pledge)
        else:
            booked.append((pledge, amount, team))
    for pledge, amount, team in booked:
        entry = ledger.log_collection(
            team, amount, day, "payroll", f"Löneavdrag {months.label(month)}", logged_by=actor,
            status="attested", idempotency_key=f"payroll:{pledge.id}:{month}",
            giver_id=pledge.user_id,
        )
        db.session.add(PayrollDeduction(run_id=run.id, pledge_id=pledge.id, user_id=pledge.user_id,
                                        month=month, amount_ore=amount, entry_id=entry.id))
        db.session.flush()
    # The run's event says which pledges were not booked, so the month page can tell why.
    audit.record("payroll.confirm", "company", company.id, actor=actor,
                 after={"month": month, "lines": len(lines),
                        "total_ore": sum(a for _, a, _ in booked),
                        "not_booked": [p.id for p in not_booked]})
    return run, not_booked
