"""Writes for milestones: set and remove them, and record them reached exactly once.

Reaching is found after the ledger has moved: a ledger listener notes which teams and
workplaces got more reported money, and just before that transaction commits one
conditional UPDATE (`reached_at IS NULL` and the stored total at or past the amount) marks
what is reached. By then the transaction holds the lock on the team's and the workplace's
total rows, so two collections logged at once are counted one after the other: the later
sees the earlier's money, and only one of them gets the row count that sets `reached_at`.
"""

from functools import lru_cache

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    literal,
    or_,
    select,
    update,
)

from .. import audit, campaigns
from ..extensions import db
from ..formatting import kronor
from ..models import Milestone, Tally, TeamMember, User
from ..models.base import utcnow

MAX_PER_OWNER = 10
PROMISE_MAX = 200
AMOUNT_MAX_ORE = 10_000_000 * 100
_TOUCHED = "milestones_touched"


class MilestoneError(ValueError):
    """A milestone breaks a rule; the message is translated."""


def _owner_filter(company_id: int, team_id: int | None):
    if team_id is None:
        return and_(Milestone.company_id == company_id, Milestone.team_id.is_(None))
    return Milestone.team_id == team_id


def add_milestone(company_id: int, team_id: int | None, amount_ore: int, promise: str,
                  actor: User) -> Milestone:
    """Set a promise at an amount for a team (team_id) or a workplace; flushes."""
    from flask_babel import gettext as _

    if amount_ore <= 0 or amount_ore > AMOUNT_MAX_ORE:
        raise MilestoneError(_("Beloppet måste vara mer än 0 kr och högst 10 000 000 kr."))
    promise = " ".join(promise.split())
    if not promise or len(promise) > PROMISE_MAX:
        raise MilestoneError(_("Skriv vad ni lovar, högst %(max)s tecken.", max=PROMISE_MAX))
    running = campaigns.current()
    campaign_id = running.id if running else None
    existing = db.session.execute(
        select(Milestone.amount_ore).where(_owner_filter(company_id, team_id),
                                           _same_campaign(campaign_id))
    ).scalars().all()
    if len(existing) >= MAX_PER_OWNER:
        raise MilestoneError(_("Ni kan ha högst %(max)s delmål.", max=MAX_PER_OWNER))
    if amount_ore in existing:
        raise MilestoneError(_("Det finns redan ett delmål på det beloppet."))
    milestone = Milestone(company_id=company_id, team_id=team_id, campaign_id=campaign_id,
                          amount_ore=amount_ore, promise=promise, created_by_id=actor.id)
    db.session.add(milestone)
    db.session.flush()
    audit.record("milestone.added", "milestone", milestone.id, actor=actor,
                 after={"amount_ore": amount_ore, "promise": promise, "team_id": team_id,
                        "company_id": company_id})
    # A milestone at or under what is already raised counts as reached at once.
    mark_reached([team_id] if team_id else [], [] if team_id else [company_id])
    return milestone


def _same_campaign(campaign_id: int | None):
    if campaign_id is None:
        return Milestone.campaign_id.is_(None)
    return Milestone.campaign_id == campaign_id


def remove_milestone(milestone: Milestone, actor: User) -> None:
    """Take away a milestone not yet reached (a reached one is a promise made); flushes.

    One conditional DELETE (`reached_at IS NULL`): a collection that reaches it at the same
    moment holds its row until it commits, and the DELETE then finds it reached and
    removes nothing, so a promise already told is never taken away afterwards.
    """
    from flask_babel import gettext as _

    before = {"amount_ore": milestone.amount_ore, "promise": milestone.promise}
    removed = db.session.execute(
        delete(Milestone).where(Milestone.id == milestone.id, Milestone.reached_at.is_(None))
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not removed:
        if db.session.execute(select(Milestone.id).where(Milestone.id == milestone.id)).first():
            raise MilestoneError(_("Ett uppnått delmål står kvar: löftet är redan givet."))
        return  # someone removed it a moment ago: what this person asked for is done
    audit.record("milestone.removed", "milestone", milestone.id, actor=actor, before=before)
    db.session.flush()


def on_ledger_change(entry, reported_delta: int, attested_delta: int,
                     received_delta: int) -> None:
    """Ledger listener: note the team and workplace that got more reported money; they are
    checked just before the transaction commits (see the module's text).

    Less money (a correction, a rejection) is not noted: a reached milestone stays reached,
    since the promise was made when it was reached.
    """
    if reported_delta <= 0:
        return
    touched = db.session.info.setdefault(_TOUCHED, (set(), set()))
    touched[0].add(entry.team_id)
    touched[1].add(entry.company_id)


def _before_commit(session) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        mark_reached(sorted(touched[0]), sorted(touched[1]))


def _forget(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_TOUCHED, None)


def init_events() -> None:
    """Check the touched teams and workplaces before each commit (idempotent)."""
    for name, listener in (("before_commit", _before_commit),
                           ("after_transaction_end", _forget)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _raised_so_far():
    """Correlated: the reported total the milestone is measured on (its campaign's, or all
    time for one set outside a campaign)."""
    milestone, tally = Milestone.__table__, Tally.__table__
    period = case((milestone.c.campaign_id.is_(None), literal("all")),
                  else_=literal("c") + cast(milestone.c.campaign_id, String))
    subject = case((milestone.c.team_id.is_(None), literal("company")), else_=literal("team"))
    return (
        select(tally.c.reported_ore)
        .where(tally.c.subject == subject,
               tally.c.subject_id == func.coalesce(milestone.c.team_id, milestone.c.company_id),
               tally.c.period == period)
        .scalar_subquery()
    )


@lru_cache(maxsize=4)
def _reach_statement(for_teams: bool, for_companies: bool):
    """The UPDATE that marks reached milestones, built once for each kind of owner list, on
    the tables: every logged collection runs it, and building it anew (or running it
    through the ORM's bulk update) cost more than running it."""
    table = Milestone.__table__
    owners = []
    if for_teams:
        owners.append(table.c.team_id.in_(bindparam("team_ids", expanding=True)))
    if for_companies:
        owners.append(and_(table.c.team_id.is_(None),
                           table.c.company_id.in_(bindparam("company_ids", expanding=True))))
    return (
        update(table)
        .where(table.c.reached_at.is_(None), or_(*owners),
               table.c.amount_ore <= _raised_so_far())
        .values(reached_at=bindparam("now"))
        .returning(table.c.id)
    )


def mark_reached(team_ids: list[int], company_ids: list[int]) -> list[Milestone]:
    """Record as reached, once, the open milestones of these teams and workplaces that
    their totals have passed; tells the team and the workplace's webhooks. Flushes."""
    if not (team_ids or company_ids):
        return []
    db.session.flush()  # a plain statement does not flush what is pending, as the ORM would
    reached_ids = db.session.connection().execute(
        _reach_statement(bool(team_ids), bool(company_ids)),
        {"team_ids": team_ids, "company_ids": company_ids, "now": utcnow()},
    ).scalars().all()
    if not reached_ids:
        return []
    reached = db.session.execute(
        select(Milestone).where(Milestone.id.in_(reached_ids))
        .options(db.joinedload(Milestone.team), db.joinedload(Milestone.company))
        .execution_options(populate_existing=True)
    ).scalars().all()
    for milestone in reached:
        _tell(milestone)
    return reached


def _tell(milestone: Milestone) -> None:
    """The members of the team (or of the workplace's teams) get a notification and an
    e-mail; the workplace's webhooks get a message. All in the caller's transaction."""
    from .. import notifications
    from ..webhooks import services as webhooks

    if milestone.team is not None:
        owner_name, link = milestone.team.name, f"/teams/{milestone.team.slug}"
        members = db.session.execute(
            select(User).join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == milestone.team_id)
        ).scalars().all()
    else:
        owner_name, link = milestone.company.name, f"/companies/{milestone.company.slug}"
        members = db.session.execute(
            select(User).join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.company_id == milestone.company_id)
        ).scalars().all()
    amount = LazyString(kronor, milestone.amount_ore)
    text = _l("%(name)s har nått %(amount)s! Löftet: %(promise)s", name=owner_name,
              amount=amount, promise=milestone.promise)
    subject = _l("Delmål nått: %(amount)s", amount=amount)
    for user in members:
        if not user.disabled:
            notifications.notify(user, text, link=link, email_subject=subject)
    webhooks.queue_event(milestone.company_id, "milestone.reached", {
        "text": f"{owner_name} har nått {kronor_sv(milestone.amount_ore)}! "
                f"Löftet: {milestone.promise}",
        "amount_ore": milestone.amount_ore,
        "promise": milestone.promise,
        "team": milestone.team.name if milestone.team else None,
        "workplace": milestone.company.name,
        "link": link,
    })


def kronor_sv(ore: int) -> str:
    """An amount as Swedish text, whatever the request's language (webhooks speak Swedish)."""
    from ..money import format_ore

    return format_ore(ore, locale="sv_SE")
