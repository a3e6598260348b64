"""Employer matching: the workplace adds a share of what its employees give.

A match is its own ledger entry (method "match", `matches_id` pointing at the entry it
matches), written in the same transaction as the attestation or payroll run that caused
it. When the matched entry is reversed or rejected, the match is reversed too. The cap per
employee and year holds under concurrent attestation: the employee's usage row is locked
(SELECT ... FOR UPDATE) before the room under the cap is read.
"""

from datetime import date
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit
from ..extensions import db
from ..i18n_request import _
from ..ledger import services as ledger
from ..models import LedgerEntry, MatchRule, MatchUsage, Membership, User


class MatchError(ValueError):
    """A matching rule was refused; the message is Swedish and fit for the user."""


SCOPES = {"payroll": _l("Bara löneavdrag"), "all": _l("Alla attesterade insamlingar")}


def add_rule(company, percent: int, cap_ore: int, scope: str, starts_on: date,
             ends_on: date | None, actor) -> MatchRule:
    """Start a matching rule for a workplace."""
    if not 1 <= percent <= 100:
        raise MatchError(_("Matchningen ska vara mellan 1 och 100 procent."))
    if cap_ore < 0:
        raise MatchError(_("Taket kan inte vara mindre än noll."))
    if cap_ore > 10_000_000:
        raise MatchError(_("Taket får vara högst 100 000 kr per anställd och år."))
    if scope not in SCOPES:
        raise MatchError(_("Välj vad som ska matchas."))
    if ends_on is not None and ends_on < starts_on:
        raise MatchError(_("Slutdatumet måste komma efter startdatumet."))
    rule = MatchRule(company_id=company.id, percent=percent, cap_ore=cap_ore, scope=scope,
                     starts_on=starts_on, ends_on=ends_on, created_by_id=getattr(actor, "id", None))
    db.session.add(rule)
    db.session.flush()
    audit.record("match.rule", "match_rule", rule.id, actor=actor, after={
        "company_id": company.id, "percent": percent, "cap_ore": cap_ore, "scope": scope,
        "starts_on": starts_on, "ends_on": ends_on})
    return rule


def end_rule(rule: MatchRule, today: date, actor) -> MatchRule:
    """Stop a rule from today: no gift collected after today is matched by it."""
    # Read again, locked: two admins stopping it at once stop it once.
    db.session.execute(db.select(MatchRule.id).where(MatchRule.id == rule.id).with_for_update())
    db.session.refresh(rule)
    ends_on = max(today, rule.starts_on)
    if rule.ends_on is not None and rule.ends_on <= ends_on:  # stopped already, or ended
        raise MatchError(_("Regeln har redan slutat."))
    before = {"ends_on": rule.ends_on}
    rule.ends_on = ends_on
    db.session.flush()
    audit.record("match.rule_end", "match_rule", rule.id, actor=actor, before=before,
                 after={"ends_on": rule.ends_on})
    return rule


def rules(company_id: int) -> list[MatchRule]:
    """A workplace's matching rules, newest first."""
    return list(db.session.execute(
        db.select(MatchRule).where(MatchRule.company_id == company_id)
        .order_by(MatchRule.starts_on.desc(), MatchRule.id.desc())
    ).scalars())


def rule_for(company_id: int, day: date, is_payroll: bool) -> MatchRule | None:
    """The rule that matches a gift on `day` (the newest one, when periods overlap)."""
    scopes = ["all", "payroll"] if is_payroll else ["all"]
    return db.session.execute(
        db.select(MatchRule).where(
            MatchRule.company_id == company_id, MatchRule.scope.in_(scopes),
            MatchRule.starts_on <= day,
            (MatchRule.ends_on.is_(None)) | (MatchRule.ends_on >= day),
        ).order_by(MatchRule.id.desc()).limit(1)
    ).scalar_one_or_none()


def _locked_usage(company_id: int, user_id: int, year: int) -> MatchUsage:
    """The employee's usage row for the year, created if missing, locked until commit."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MatchUsage)
    db.session.execute(
        insert.values(company_id=company_id, user_id=user_id, year=year, matched_ore=0)
        .on_conflict_do_nothing(index_elements=["company_id", "user_id", "year"])
    )
    return db.session.execute(
        db.select(MatchUsage).where(
            MatchUsage.company_id == company_id, MatchUsage.user_id == user_id,
            MatchUsage.year == year,
        ).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def match_entry(entry: LedgerEntry, actor=None) -> LedgerEntry | None:
    """Add the employer's match for an attested gift, within its giver's yearly cap.

    The match is the workplace's own promise, so it is attested from the start; it is
    received when the mission has the employer's money (staff mark it, like any entry).

    The match is the giver's too (`giver_id`): it uses their cap, counts them as taking part,
    and follows the gift when it is corrected or withdrawn."""
    employee_id = entry.giver_id
    if employee_id is None or entry.amount_ore <= 0 or entry.method == "match":
        return None
    rule = rule_for(entry.company_id, entry.collected_on, entry.method == "payroll")
    if rule is None:
        return None
    # Only the workplace's own people are matched (not, say, staff logging for a team).
    if db.session.execute(db.select(Membership.id).where(
            Membership.user_id == employee_id, Membership.company_id == entry.company_id)
    ).first() is None:
        return None
    usage = _locked_usage(entry.company_id, employee_id, entry.collected_on.year)
    amount = min(entry.amount_ore * rule.percent // 100, rule.cap_ore - usage.matched_ore)
    if amount <= 0:
        return None
    usage.matched_ore = usage.matched_ore + amount
    # The match counts where the gift counted, even if the team has changed goal since.
    where = SimpleNamespace(id=entry.team_id, company_id=entry.company_id, goal_id=entry.goal_id)
    match = ledger.log_collection(
        where, amount, entry.collected_on, "match",
        f"Arbetsgivaren matchar {rule.percent} %", logged_by=actor, status="attested",
        idempotency_key=f"match:{entry.id}", giver_id=employee_id,
    )
    match.matches_id = entry.id
    db.session.flush()
    return match


def reverse_matches_of(entry_id: int, actor=None) -> list[LedgerEntry]:
    """Reverse the matches of an entry that was reversed or rejected."""
    matches = db.session.execute(
        db.select(LedgerEntry).where(
            LedgerEntry.matches_id == entry_id, LedgerEntry.reverses_id.is_(None)
        )
    ).scalars().all()
    return [
        ledger.reverse_entry(match, actor, "Den matchade gåvan är återtagen", action="match.reverse")
        for match in matches if not ledger.is_reversed(match)
    ]


def _free_cap(reversal: LedgerEntry) -> None:
    """A match was reversed (with its gift or on its own): its sum is room under the cap again."""
    match = db.session.get(LedgerEntry, reversal.reverses_id)
    if match is None or match.giver_id is None:
        return
    usage = _locked_usage(match.company_id, match.giver_id, match.collected_on.year)
    usage.matched_ore = max(0, usage.matched_ore - match.amount_ore)


def follow_the_ledger(entry: LedgerEntry, reported_delta: int, attested_delta: int,
                      received_delta: int) -> None:
    """Match gifts once they are attested (by the workplace, or received by the mission
    directly); reverse the matches of reversed or rejected gifts."""
    if entry.method == "match":
        if entry.reverses_id is not None:
            _free_cap(entry)
        return
    if entry.reverses_id is not None:
        reverse_matches_of(entry.reverses_id, _actor_of(entry))
    elif entry.status == "rejected" and reported_delta < 0:
        reverse_matches_of(entry.id, _actor_of(entry))
    elif attested_delta > 0:
        match_entry(entry, _actor_of(entry))


def _actor_of(entry: LedgerEntry) -> User | None:
    """Who moved the entry last: the one its matches are written or reversed by."""
    return db.session.get(User, entry.status_changed_by_id or entry.logged_by_id or 0)
