"""Merging a duplicate workplace into the right one (staff only). Flush, never commit.

Everything of the duplicate moves to the target: teams, memberships, join requests, its
place in challenges, and the ledger entries of its teams. Ledger entries keep the
workplace they were logged under, and money is append-only; which workplace a duplicate's
entries belong to is an administrative fact, not money, so a merge rewrites their
`company_id` (never an amount or a status), writes an audit event per moved group of
entries with before and after, and then rebuilds the derived figures from the ledger in
the same transaction, with the ledger locked, so `ledger-check` stays clean.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from .. import audit
from ..extensions import db
from ..ledger import check
from ..ledger.services import Conflict
from ..models import (
    Activity,
    CashBox,
    Challenge,
    ChallengeParticipant,
    ChallengeTally,
    Company,
    CreativityVote,
    JoinRequest,
    LedgerEntry,
    MatchRule,
    MatchUsage,
    Membership,
    PayrollRun,
    PayrollScheme,
    Pledge,
    Team,
    TeamMember,
    User,
)
from ..notifications import notify
from ..teams.services import leave_team
from .services import CompanyError, _snapshot, company_admins

ROLE_RANK = {"member": 0, "admin": 1}


def _lock(source: Company, target: Company) -> None:
    """Hold both workplace rows, in id order, so no two merges cross; the same merge sent
    twice at once finds the duplicate already gone and is refused (409), instead of
    telling everyone a second time."""
    held = db.session.execute(
        db.select(Company.id).where(Company.id.in_(sorted((source.id, target.id))))
        .order_by(Company.id).with_for_update()
    ).scalars().all()
    if len(held) != 2:
        raise Conflict(_("Arbetsplatserna är redan ihopslagna, eller en av dem finns inte längre."))


def merge_problems(source: Company, target: Company) -> list[str]:
    """What stops the merge, in plain Swedish; an empty list means it can go ahead."""
    if source.id == target.id:
        return [_("Välj en annan arbetsplats att slå ihop med.")]
    problems = []
    shared = db.session.execute(
        db.select(ChallengeParticipant.challenge_id)
        .where(ChallengeParticipant.company_id.in_((source.id, target.id)))
        .group_by(ChallengeParticipant.challenge_id)
        .having(func.count(ChallengeParticipant.id) > 1)
    ).scalars().all()
    for challenge_id in shared:
        problems.append(_("Båda arbetsplatserna är med i utmaning %(id)s. Den kan inte slås "
                          "ihop; avsluta eller dra tillbaka utmaningen först.", id=challenge_id))
    target_names = set(db.session.execute(
        db.select(Team.name_key).where(Team.company_id == target.id)
    ).scalars())
    for name, key in db.session.execute(
        db.select(Team.name, Team.name_key).where(Team.company_id == source.id).order_by(Team.id)
    ):
        if key in target_names:
            problems.append(_("Båda arbetsplatserna har ett lag som heter %(name)s. Byt namn "
                              "på det ena först.", name=name))
    target_boxes = set(db.session.execute(
        db.select(CashBox.number).where(CashBox.company_id == target.id)).scalars())
    for number in db.session.execute(
        db.select(CashBox.number).where(CashBox.company_id == source.id).order_by(CashBox.id)
    ).scalars():
        if number in target_boxes:
            problems.append(_("Båda arbetsplatserna har en insamlingsbössa med nummer "
                              "%(number)s. Byt nummer på den ena först.", number=number))
    # Payroll giving has its own figures per workplace (months run, match caps): a duplicate
    # that uses it is merged by hand. Settings that were never switched on are not in the way.
    for query in [db.select(model.id).where(model.company_id == source.id)
                  for model in (Pledge, PayrollRun, MatchRule, MatchUsage)] + [
            db.select(PayrollScheme.id).where(PayrollScheme.company_id == source.id,
                                              PayrollScheme.enabled.is_(True))]:
        if db.session.execute(query.limit(1)).first() is not None:
            problems.append(_("%(name)s har löneavdrag eller arbetsgivarmatchning. Det går inte "
                              "att slå ihop automatiskt; kontakta den som sköter systemet.",
                              name=source.name))
            break
    return problems


def merge_companies(source: Company, target: Company, actor: User) -> Company:
    """Move everything of the duplicate `source` into `target`, remove the duplicate and
    rebuild the figures; raises CompanyError (nothing changed) when something conflicts."""
    check.lock_ledger()  # first: the ledger stands still while entries move and figures rebuild
    _lock(source, target)
    problems = merge_problems(source, target)
    if problems:
        raise CompanyError(" ".join(problems))
    source_before = _snapshot(source) | {"id": source.id, "slug": source.slug}

    # People: one membership each in the target, the higher role kept.
    for membership in db.session.execute(
        db.select(Membership).where(Membership.company_id == source.id)
    ).scalars().all():
        there = db.session.execute(db.select(Membership).where(
            Membership.company_id == target.id, Membership.user_id == membership.user_id
        )).scalar_one_or_none()
        if there is None:
            membership.company_id = target.id
            continue
        if ROLE_RANK.get(membership.role, 0) > ROLE_RANK.get(there.role, 0):
            there.role = membership.role
        db.session.delete(membership)
    db.session.flush()

    # Teams move whole; a person in a team at both keeps the target's place (one team per
    # person and workplace), and what they logged stays with the team it was logged for.
    in_target = set(db.session.execute(
        db.select(TeamMember.user_id).where(TeamMember.company_id == target.id)
    ).scalars())
    for place in db.session.execute(
        db.select(TeamMember).where(TeamMember.company_id == source.id)
    ).scalars().all():
        if place.user_id in in_target:
            # As when someone is removed: a captain hands over to the longest teammate.
            leave_team(place.team, place.user, actor=actor, force=True)
        else:
            place.company_id = target.id
    db.session.flush()
    db.session.execute(db.update(Team).where(Team.company_id == source.id)
                       .values(company_id=target.id))
    # Collection boxes go with their teams (their keepers are the target's people now).
    db.session.execute(db.update(CashBox).where(CashBox.company_id == source.id)
                       .values(company_id=target.id))
    # Activities go with their teams; a colleague's creativity vote counts for the target.
    db.session.execute(db.update(Activity).where(Activity.company_id == source.id)
                       .values(company_id=target.id))
    db.session.execute(db.update(CreativityVote).where(CreativityVote.voter_company_id == source.id)
                       .values(voter_company_id=target.id))

    # Join requests: a person now in the target has nothing left to ask; a second open
    # request from the same person is a duplicate.
    members = set(db.session.execute(
        db.select(Membership.user_id).where(Membership.company_id == target.id)
    ).scalars())
    asking = set(db.session.execute(db.select(JoinRequest.user_id).where(
        JoinRequest.company_id == target.id, JoinRequest.status == "pending")).scalars())
    for join_request in db.session.execute(
        db.select(JoinRequest).where(JoinRequest.company_id == source.id)
    ).scalars().all():
        if join_request.status == "pending" and join_request.user_id in members:
            join_request.status = "approved"
        elif join_request.status == "pending" and join_request.user_id in asking:
            db.session.delete(join_request)
            continue
        join_request.company_id = target.id

    # Challenges (no shared one, checked above): the target takes the duplicate's place.
    db.session.execute(db.update(ChallengeParticipant)
                       .where(ChallengeParticipant.company_id == source.id)
                       .values(company_id=target.id))
    db.session.execute(db.update(ChallengeTally).where(ChallengeTally.company_id == source.id)
                       .values(company_id=target.id))
    db.session.execute(db.update(Challenge).where(Challenge.challenger_id == source.id)
                       .values(challenger_id=target.id))
    db.session.execute(db.update(Challenge).where(Challenge.winner_id == source.id)
                       .values(winner_id=target.id))

    # The ledger: an audit event per team's group of entries, then the move.
    groups = db.session.execute(
        db.select(LedgerEntry.team_id, func.count(LedgerEntry.id),
                  func.sum(LedgerEntry.amount_ore))
        .where(LedgerEntry.company_id == source.id)
        .group_by(LedgerEntry.team_id).order_by(LedgerEntry.team_id)
    ).all()
    for team_id, count, amount in groups:
        entry_ids = list(db.session.execute(
            db.select(LedgerEntry.id).where(LedgerEntry.company_id == source.id,
                                            LedgerEntry.team_id == team_id)
            .order_by(LedgerEntry.id)).scalars())
        audit.record("ledger.merge_move", "team", team_id, actor=actor,
                     before={"company_id": source.id, "entry_ids": entry_ids,
                             "entries": count, "sum_ore": int(amount or 0)},
                     after={"company_id": target.id, "entry_ids": entry_ids})
    db.session.execute(db.update(LedgerEntry).where(LedgerEntry.company_id == source.id)
                       .values(company_id=target.id))
    db.session.flush()

    db.session.execute(db.delete(PayrollScheme).where(PayrollScheme.company_id == source.id))
    org_number = source.org_number
    db.session.execute(db.delete(Company).where(Company.id == source.id))
    db.session.expunge(source)
    # The duplicate held the number the target claimed: the number is the target's now.
    if org_number and target.org_number is None:
        target.org_number = org_number
    if target.in_review and target.org_number == target.claimed_org_number:
        target.claimed_org_number = None
        target.orgnr_status = ""
    db.session.flush()
    rebuilt = check.rebuild_all()
    audit.record("company.merge", "company", target.id, actor=actor,
                 before={"merged": source_before},
                 after={"into": target.id, "entry_groups": len(groups), "rebuilt": rebuilt})
    for admin in company_admins(target):
        notify(admin, _l("%(old)s har slagits ihop med %(name)s av stadsmissionen.",
                         old=source_before["name"], name=target.name),
               f"/companies/{target.slug}")
    db.session.flush()
    return target
