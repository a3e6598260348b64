"""What happens in the competition, for the TV screens to celebrate: derived from the ledger.

Every event is made by one ledger entry (its id is the event's place in time, and the
cursor a TV sends back: "I have seen everything up to entry 123"). Each kind is one
function `(after_id, upto_id) -> list[Event]` that reads the figures as they stood just
after entry `after_id` and walks the entries after it in order, so that "before" and
"after" are the totals around the entry that made the difference, never a guess. Only
entries that count (reported, attested or received; a rejected one or a reversal's
pair adds nothing) take part. Add a kind by writing one more function and listing it in
KINDS.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import campaigns, clock
from ..challenges.figures import headcount_of
from ..extensions import db
from ..formatting import kronor, swedish_date
from ..models import LedgerEntry, Team
from ..models.challenge import Challenge, ChallengeParticipant
from ..models.ledger import REPORTED
from ..teams import looks

# How far back a TV that sends an old (or no) cursor is taken: the latest entries only.
WINDOW = 500
# Share of the target, in per cent, that a team is cheered for passing.
MILESTONES = (25, 50, 100)
TICKER_SIZE = 8


@dataclass(frozen=True)
class Event:
    entry_id: int  # the entry that made it happen
    kind: str
    key: str  # unique for what happened: the TV shows each key once
    text: str
    look: looks.Look | None = None  # the team's badge, when the event is a team's
    challenge_id: int | None = None  # the challenge, when the event is a challenge's


def _counts():
    return LedgerEntry.status.in_(REPORTED)


def _new_entries(after_id: int, upto_id: int, *where) -> list:
    """The counting entries after `after_id` up to `upto_id`, oldest first."""
    return db.session.execute(
        select(LedgerEntry.id, LedgerEntry.team_id, LedgerEntry.company_id,
               LedgerEntry.goal_id, LedgerEntry.amount_ore, LedgerEntry.collected_on)
        .where(LedgerEntry.id > after_id, LedgerEntry.id <= upto_id, _counts(), *where)
        .order_by(LedgerEntry.id)
    ).all()


# --- Kinds -------------------------------------------------------------------------------


def team_milestones(after_id: int, upto_id: int) -> list[Event]:
    """A team passes a quarter, half or all of its target (the highest one an entry passes).

    Compared with the highest total the team ever had before the entry, so a team that
    drops back (a reversal) and passes the line again is not cheered twice."""
    new = _new_entries(after_id, upto_id)
    if not new:
        return []
    teams = {t.id: t for t in db.session.execute(
        select(Team).where(Team.id.in_({e.team_id for e in new}), Team.target_ore > 0)
    ).scalars()}
    if not teams:
        return []
    running = func.sum(LedgerEntry.amount_ore).over(
        partition_by=LedgerEntry.team_id, order_by=LedgerEntry.id)
    history = (
        select(LedgerEntry.team_id.label("team_id"), LedgerEntry.amount_ore.label("amount"),
               running.label("running"))
        .where(LedgerEntry.team_id.in_(teams), LedgerEntry.id <= after_id, _counts())
        .subquery()
    )
    total, peak = {}, {}
    for team_id, sum_, max_ in db.session.execute(
        select(history.c.team_id, func.sum(history.c.amount), func.max(history.c.running))
        .group_by(history.c.team_id)
    ):
        total[team_id], peak[team_id] = int(sum_ or 0), int(max_ or 0)
    events = []
    for entry in new:
        team = teams.get(entry.team_id)
        if team is None:
            continue
        before_peak = peak.get(team.id, 0)
        after = total.get(team.id, 0) + entry.amount_ore
        total[team.id] = after
        peak[team.id] = max(before_peak, after)
        passed = [pct for pct in MILESTONES
                  if before_peak * 100 < team.target_ore * pct <= after * 100]
        if passed:
            pct = passed[-1]
            events.append(Event(entry.id, "team_milestone", f"team-{team.id}-{pct}-{entry.id}",
                                _milestone_text(team.name, pct), looks.team_look(team)))
    return events


def _milestone_text(name: str, pct: int) -> str:
    if pct >= 100:
        return _("Laget %(name)s har nått hela sitt mål!", name=name)
    if pct >= 50:
        return _("Laget %(name)s passerade halva målet!", name=name)
    return _("Laget %(name)s passerade en fjärdedel av målet!", name=name)


def challenge_leads(after_id: int, upto_id: int) -> list[Event]:
    """A workplace takes the lead (alone) in a running challenge, by money or money per
    employee; a challenge of the share taking part is left out (it counts people)."""
    new = _new_entries(after_id, upto_id)
    if not new:
        return []
    companies = {e.company_id for e in new}
    challenges = db.session.execute(
        select(Challenge)
        .where(Challenge.status == "accepted", Challenge.settled_at.is_(None),
               Challenge.measure.in_(("total", "per_employee")),
               Challenge.id.in_(select(ChallengeParticipant.challenge_id).where(
                   ChallengeParticipant.company_id.in_(companies),
                   ChallengeParticipant.status == "accepted")))
        .order_by(Challenge.id)
    ).scalars().all()
    events = []
    for challenge in challenges:
        playing = {p.company_id: p for p in challenge.participants if p.status == "accepted"}
        if len(playing) < 2:
            continue
        where = [LedgerEntry.company_id.in_(playing),
                 LedgerEntry.collected_on.between(challenge.starts_on, challenge.ends_on)]
        if challenge.goal_id is not None:
            where.append(LedgerEntry.goal_id == challenge.goal_id)
        mine = [e for e in new if e.company_id in playing
                and challenge.starts_on <= e.collected_on <= challenge.ends_on
                and challenge.goal_id in (None, e.goal_id)]
        if not mine:
            continue
        money = defaultdict(int, db.session.execute(
            select(LedgerEntry.company_id, func.sum(LedgerEntry.amount_ore))
            .where(LedgerEntry.id <= after_id, _counts(), *where)
            .group_by(LedgerEntry.company_id)
        ).all())
        per = ({c: headcount_of(p) for c, p in playing.items()}
               if challenge.measure == "per_employee" else dict.fromkeys(playing, 1))
        leading = _sole_leader(money, per)
        for entry in mine:
            money[entry.company_id] += entry.amount_ore
            now_leading = _sole_leader(money, per)
            if now_leading is not None and now_leading != leading:
                name = playing[now_leading].company.name
                rivals = ", ".join(p.company.name for c, p in playing.items()
                                   if c != now_leading)
                events.append(Event(
                    entry.id, "challenge_lead",
                    f"challenge-{challenge.id}-{now_leading}-{entry.id}",
                    _("%(name)s tar ledningen mot %(rivals)s!", name=name, rivals=rivals),
                    challenge_id=challenge.id))
            leading = now_leading
    return events


def _sole_leader(money: dict[int, int], per: dict[int, int]) -> int | None:
    """The workplace ahead of all others on money (per employee when `per` says so)."""
    scores = {c: Fraction(int(money[c]), max(per[c], 1)) for c in per}
    best = max(scores.values())
    top = [c for c, s in scores.items() if s == best]
    return top[0] if len(top) == 1 and best > 0 else None


def record_days(after_id: int, upto_id: int) -> list[Event]:
    """A day of the running campaign passes the best day so far (the most money collected
    in one Stockholm day); the campaign's first day with money is no record yet."""
    campaign = campaigns.current()
    if campaign is None:
        return []
    in_campaign = [LedgerEntry.collected_on >= campaign.starts_on]
    if campaign.ends_on is not None:
        in_campaign.append(LedgerEntry.collected_on <= campaign.ends_on)
    new = _new_entries(after_id, upto_id, *in_campaign)
    if not new:
        return []
    days = defaultdict(int, db.session.execute(
        select(LedgerEntry.collected_on, func.sum(LedgerEntry.amount_ore))
        .where(LedgerEntry.id <= after_id, _counts(), *in_campaign)
        .group_by(LedgerEntry.collected_on)
    ).all())
    today = clock.today()
    events = []
    for entry in new:
        day = entry.collected_on
        before = days[day]
        after = before + entry.amount_ore
        days[day] = after
        best_other = max((int(total) for other, total in days.items() if other != day),
                         default=0)
        if best_other > 0 and before <= best_other < after:
            amount = kronor(after, False)
            text = (_("Ny dagsrekord! %(amount)s insamlat i dag.", amount=amount)
                    if day == today else
                    _("Ny dagsrekord! %(amount)s insamlat %(day)s.", amount=amount,
                      day=swedish_date(day)))
            events.append(Event(entry.id, "record_day", f"day-{day.isoformat()}-{entry.id}",
                                text))
    return events


def promises_kept(after_id: int, upto_id: int) -> list[Event]:
    """A team or a workplace reached one of its milestones with a promise ("vid 10 000 kr
    bjuder chefen på tårta"). A milestone is marked when the entry that reached it commits,
    so the ones marked since entry `after_id` was written belong to this stretch; a screen
    shows each milestone's key once, so a stretch that overlaps the last changes nothing."""
    from ..milestones import queries as milestone_queries

    if upto_id <= after_id:
        return []
    since = db.session.execute(
        select(LedgerEntry.created_at).where(LedgerEntry.id == after_id)).scalar_one_or_none()
    if since is None:
        since = db.session.execute(
            select(func.min(LedgerEntry.created_at)).where(LedgerEntry.id > after_id)
        ).scalar_one_or_none()
    if since is None:
        return []
    found = milestone_queries.reached_since(since)
    team_ids = [reached.team_id for reached in found if reached.team_id]
    teams = {team.id: team for team in db.session.execute(
        select(Team).where(Team.id.in_(team_ids))).scalars()} if team_ids else {}
    return [
        Event(upto_id, "promise", f"milestone-{reached.id}",
              _("%(name)s nådde %(amount)s: %(promise)s",
                name=reached.team_name or reached.company_name,
                amount=kronor(reached.amount_ore), promise=reached.promise),
              looks.team_look(teams[reached.team_id]) if reached.team_id in teams else None)
        for reached in found
    ]


KINDS: list[Callable[[int, int], list[Event]]] = [team_milestones, challenge_leads, record_days,
                                                  promises_kept]


# --- Reading -----------------------------------------------------------------------------


def latest_entry_id() -> int:
    """The newest ledger entry's id (0 for an empty ledger): a TV's cursor when it opens."""
    return db.session.execute(select(func.coalesce(func.max(LedgerEntry.id), 0))).scalar_one()


def events_since(cursor: int | None) -> tuple[list[Event], int]:
    """What happened after entry `cursor` (at most the latest WINDOW entries), oldest
    first, and the cursor to send next time."""
    upto = latest_entry_id()
    after = max(cursor or 0, upto - WINDOW)
    if after >= upto:
        return [], upto
    found = [event for kind in KINDS for event in kind(after, upto)]
    found.sort(key=lambda event: event.entry_id)  # stable: kinds keep KINDS' order
    return found, upto


@dataclass(frozen=True)
class TickerItem:
    team_name: str
    look: looks.Look
    amount_ore: int


def ticker(company_ids: list[int] | None = None, size: int = TICKER_SIZE) -> list[TickerItem]:
    """The latest collections that count, by team and amount only (never who gave or
    logged): no rejected entry, no reversal and nothing that was reversed."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    query = (
        select(Team.id, Team.name, Team.colour, Team.emblem, LedgerEntry.amount_ore)
        .join(Team, Team.id == LedgerEntry.team_id)
        .where(_counts(), LedgerEntry.amount_ore > 0, LedgerEntry.reverses_id.is_(None),
               LedgerEntry.id.not_in(reversed_ids))
        .order_by(LedgerEntry.id.desc())
        .limit(size)
    )
    if company_ids is not None:
        query = query.where(LedgerEntry.company_id.in_(company_ids))
    return [TickerItem(name, looks.look(team_id, colour, emblem), amount)
            for team_id, name, colour, emblem, amount in db.session.execute(query)]
