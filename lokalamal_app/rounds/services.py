"""Writing rounds: add one, generate monthly ones, remove one not yet honoured, and store
the honours of an ended round once. Functions enforce the rules and flush; the caller
commits. A broken rule raises RoundError with a Swedish message for the field."""

from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy.dialects import postgresql, sqlite

from .. import audit, clock
from ..extensions import db
from ..i18n_request import _
from ..models import Campaign
from ..models.base import utcnow
from ..models.challenge import Challenge, ChallengeParticipant
from ..models.round import Round, RoundHonour, RoundResult
from . import queries, rules

TOP_TEAMS = 3
TOP_COMPANIES = 1


class RoundError(ValueError):
    """A rule was broken; `field` names the form field, `status` the HTTP status."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.field = field
        self.status = status


def _locked_campaign(campaign_id: int) -> Campaign:
    """The campaign row, locked so two staff adding rounds at once cannot both pass the
    overlap check (PostgreSQL; SQLite serialises writers)."""
    campaign = db.session.execute(
        db.select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    ).scalar_one_or_none()
    if campaign is None:
        raise RoundError(_("Kampanjen finns inte."), status=404)
    return campaign


def round_problem(campaign: Campaign, starts_on: date | None, ends_on: date | None,
                  existing: list[Round]) -> tuple[str, str] | None:
    """(field, message) when a round's dates break a rule, else None."""
    if starts_on is None:
        return "starts_on", _("Ange omgångens första dag.")
    if ends_on is None:
        return "ends_on", _("Ange omgångens sista dag.")
    if ends_on < starts_on:
        return "ends_on", _("Sista dagen kan inte komma före den första.")
    if starts_on < campaign.starts_on:
        return "starts_on", _("Omgången måste ligga inom kampanjen, som börjar %(day)s.",
                              day=campaign.starts_on.isoformat())
    if campaign.ends_on is not None and ends_on > campaign.ends_on:
        return "ends_on", _("Omgången måste ligga inom kampanjen, som slutar %(day)s.",
                            day=campaign.ends_on.isoformat())
    for other in existing:
        if rules.overlaps(starts_on, ends_on, other.starts_on, other.ends_on):
            return "starts_on", _("Datumen krockar med omgången %(name)s.", name=other.name)
    return None


def add_round(campaign_id: int, name: str, starts_on: date | None, ends_on: date | None,
              actor) -> Round:
    """Add a round inside the campaign that overlaps none of its others."""
    campaign = _locked_campaign(campaign_id)
    problem = round_problem(campaign, starts_on, ends_on, queries.campaign_rounds(campaign.id))
    if problem is not None:
        raise RoundError(problem[1], field=problem[0])
    name = (name or "").strip() or rules.month_name(starts_on)
    found = Round(campaign_id=campaign.id, name=name[:80], starts_on=starts_on, ends_on=ends_on)
    db.session.add(found)
    db.session.flush()
    audit.record("round.add", "round", found.id, actor=actor, after={
        "campaign": campaign.id, "name": found.name, "starts_on": starts_on, "ends_on": ends_on})
    return found


def generate_monthly_rounds(campaign_id: int, actor) -> list[Round]:
    """One round per calendar month of the campaign (a year of months for a campaign with
    no last day), leaving out months that would overlap a round already there."""
    campaign = _locked_campaign(campaign_id)
    last = campaign.ends_on
    if last is None:
        start = campaign.starts_on
        month = start.month - 1 + rules.OPEN_CAMPAIGN_MONTHS
        last = date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    existing = queries.campaign_rounds(campaign.id)
    added = []
    for first, final in rules.months_between(campaign.starts_on, last):
        if any(rules.overlaps(first, final, o.starts_on, o.ends_on) for o in existing + added):
            continue
        found = Round(campaign_id=campaign.id, name=rules.month_name(first),
                      starts_on=first, ends_on=final)
        db.session.add(found)
        added.append(found)
    if not added:
        raise RoundError(_("Alla kampanjens månader har redan omgångar."), field="campaign",
                         status=409)
    db.session.flush()
    audit.record("round.generate", "campaign", campaign.id, actor=actor,
                 after={"rounds": [r.id for r in added]})
    return added


def remove_round(round_id: int, actor) -> None:
    """Remove a round whose honours are not stored yet (a mistake made in planning)."""
    found = db.session.get(Round, round_id)
    if found is None:
        raise RoundError(_("Omgången finns inte."), status=404)
    _locked_campaign(found.campaign_id)
    stored = db.session.execute(
        db.select(RoundResult.id).where(RoundResult.round_id == found.id)).scalar_one_or_none()
    if stored is not None:
        raise RoundError(_("Omgången har redan sina hedersplatser sparade och kan inte tas bort."),
                         status=409)
    audit.record("round.remove", "round", found.id, actor=actor,
                 before={"name": found.name, "starts_on": found.starts_on,
                         "ends_on": found.ends_on})
    db.session.delete(found)
    db.session.flush()


# --- Honours ---------------------------------------------------------------------------


def _claim(round_id: int, today: date) -> int | None:
    """Insert the round's result record unless one is there: its id, or None when another
    transaction stored (or is storing) it. The unique round id makes this safe at once."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RoundResult)
    stmt = (insert.values(round_id=round_id, stored_on=today, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=[RoundResult.round_id])
            .returning(RoundResult.id))
    return db.session.execute(stmt).scalar_one_or_none()


def _decimal(value: Fraction) -> str:
    return f"{float(value):.2f}"


def _challenge_honours(rnd: Round, result_id: int) -> list[RoundHonour]:
    """The leader of each accepted challenge that shares days with the round, by the
    challenge's scoring within the round (a tie honours nobody)."""
    from ..challenges.figures import headcount_of
    from ..challenges.scoring import SideFigures, compute, scoring_of

    found = db.session.execute(
        db.select(Challenge).where(Challenge.status == "accepted",
                                   Challenge.starts_on <= rnd.ends_on,
                                   Challenge.ends_on >= rnd.starts_on)
        .options(db.selectinload(Challenge.participants)
                 .joinedload(ChallengeParticipant.company))
        .order_by(Challenge.id)
    ).scalars().all()
    out = []
    for challenge in found:
        playing = [p for p in challenge.participants if p.status == "accepted"]
        if len(playing) < 2:
            continue
        scoring = scoring_of(challenge)
        figures = queries.givers_and_money(challenge, [p.company_id for p in playing],
                                           rnd.starts_on, rnd.ends_on)
        scores = compute(challenge, scoring, [
            SideFigures(p.company_id, *figures[p.company_id], headcount_of(p))
            for p in playing])
        best = max(scores)
        leaders = [p for p, s in zip(playing, scores, strict=True) if s == best]
        if len(leaders) != 1 or not any(figures[p.company_id][0] for p in playing):
            continue
        leader = leaders[0]
        out.append(RoundHonour(
            result_id=result_id, kind="challenge", challenge_id=challenge.id, place=1,
            subject_id=leader.company_id, name=leader.company.name,
            amount_ore=figures[leader.company_id][0], scoring=scoring,
            score=_decimal(best)))
    return out


def store_honours(rnd: Round, today: date | None = None) -> bool:
    """Store the honours of an ended round as they stand now, once: True when this call
    stored them, False when the round has not ended or they were stored already."""
    today = today or clock.today()
    if rnd.ends_on >= today:
        return False
    result_id = _claim(rnd.id, today)
    if result_id is None:
        return False
    teams = queries.team_money(rnd.starts_on, rnd.ends_on)
    companies = queries.company_money(rnd.starts_on, rnd.ends_on)
    honours = []
    for _rank, place, row in rules.ranked(teams, lambda r: r["reported_ore"],
                                          lambda r: r["id"])[:TOP_TEAMS]:
        if row["reported_ore"] > 0:
            honours.append(RoundHonour(result_id=result_id, kind="team", place=place,
                                       subject_id=row["id"], name=row["name"],
                                       amount_ore=row["reported_ore"]))
    for _rank, place, row in rules.ranked(companies, lambda r: r["reported_ore"],
                                          lambda r: r["id"])[:TOP_COMPANIES]:
        if row["reported_ore"] > 0:
            honours.append(RoundHonour(result_id=result_id, kind="company", place=place,
                                       subject_id=row["id"], name=row["name"],
                                       amount_ore=row["reported_ore"]))
    honours += _challenge_honours(rnd, result_id)
    db.session.add_all(honours)
    db.session.flush()
    _tell_channels(rnd, honours)
    return True


def _tell_channels(rnd: Round, honours: list[RoundHonour]) -> None:
    """Queue the round's result for every workplace with a Slack or Teams channel, in the
    transaction that stored it (so it goes once, after commit, by `send-webhooks`)."""
    from ..formatting import kronor
    from ..models import WebhookEndpoint
    from ..webhooks.services import queue_event

    teams = [h for h in honours if h.kind == "team"]
    workplaces = [h for h in honours if h.kind == "company"]
    parts = [", ".join(f"{h.place}. {h.name} ({kronor(h.amount_ore, decimals=False)})"
                       for h in teams)]
    if workplaces:
        parts.append(_("bästa arbetsplats: %(name)s (%(amount)s)", name=workplaces[0].name,
                       amount=kronor(workplaces[0].amount_ore, decimals=False)))
    text = _("Omgången %(name)s är avgjord: %(result)s.", name=rnd.name,
             result="; ".join(part for part in parts if part) or _("ingen samlade in något"))
    company_ids = db.session.execute(
        db.select(WebhookEndpoint.company_id).distinct()).scalars().all()
    for company_id in company_ids:
        queue_event(company_id, "round.result",
                    {"text": text, "link": "/leaderboards/honours", "round": rnd.name})


def due_rounds(today: date | None = None) -> list[Round]:
    """The ended rounds whose honours are not stored yet, oldest first."""
    today = today or clock.today()
    return db.session.execute(
        db.select(Round).outerjoin(RoundResult, RoundResult.round_id == Round.id)
        .where(Round.ends_on < today, RoundResult.id.is_(None))
        .order_by(Round.starts_on, Round.id)
    ).scalars().all()


def store_due_honours(today: date | None = None) -> int:
    """Store the honours of every ended round that has none yet; how many were stored."""
    today = today or clock.today()
    return sum(1 for rnd in due_rounds(today) if store_honours(rnd, today))
