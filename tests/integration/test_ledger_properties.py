"""Random sequences of everything that moves money keep the ledger's invariants.

A Hypothesis state machine drives the services (not HTTP) through logging, withdrawing,
attesting, receiving, rejecting and correcting collections, large cash sums and their second count,
Swish report imports, payroll months with employer matching, challenges (proposed,
answered, settled at the moved date), teams changing goal and people leaving or moving
teams. It keeps a plain model of its own: which entries live, with what status (reported,
attested by the workplace, received by the mission), who may move them, what each
employer match must be, and what every challenge must show. Every step either commits, or
is refused with the error the model predicted and rolls back. After every step:

- the stored totals equal their recomputation from the ledger (`check.differences()`),
- the ledger is sound (`soundness.problems()`),
- every row the ledger holds is the one the model expected, in the order it was written,
- the reported, attested and received totals of every team, workplace, goal and of
  everything equal the model's sums,
- the figures of every challenge equal a recomputation from the model (frozen when the
  challenge stops counting).

Runs on the suite's database (SQLite, or PostgreSQL from TEST_DATABASE_URL). Every example
starts from an emptied database. LEDGER_PROPERTY_EXAMPLES=<n> runs n examples instead of
the few CI runs (with longer sequences).
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from config import TestingConfig
from lokalamal_app import campaigns, clock
from lokalamal_app.challenges import figures as challenge_figures
from lokalamal_app.challenges import services as challenges
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, soundness
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import (
    Campaign,
    Challenge,
    ChallengeParticipant,
    ChallengeTally,
    Company,
    Goal,
    LedgerEntry,
    Pledge,
    Tally,
    Team,
    User,
)
from lokalamal_app.models.ledger import METHODS
from lokalamal_app.payroll import matching, months
from lokalamal_app.payroll import services as payroll
from lokalamal_app.staff import services as staff_services
from lokalamal_app.staff import swish_import
from lokalamal_app.teams import services as teams
from tests import factories
from tests.conftest import _empty_database

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))
MAX = TestingConfig.MAX_COLLECTION_ORE
LIMIT = TestingConfig.CASH_SECOND_CONFIRM_ORE
LIVE = ("pending", "attested", "received")
ATTESTED = ("attested", "received")

FIRMS = 3
PEOPLE_PER_FIRM = 3  # besides the workplace's admin
TEAMS_PER_FIRM = 2
PEOPLE = FIRMS * (PEOPLE_PER_FIRM + 1) + 1  # everyone, the mission's staff last

LOG_METHODS = sorted(m for m in METHODS if m != "match")
# A correction may try any method: an employer match is refused (it is written by the
# employer's rule, never typed).
CORRECT_METHODS = sorted(METHODS)

EXAMPLES = int(os.environ.get("LEDGER_PROPERTY_EXAMPLES") or 0)
SETTINGS = settings(
    max_examples=EXAMPLES or 12,
    stateful_step_count=40 if EXAMPLES else 25,
    deadline=None,
    # Every example empties and rebuilds the database and each step commits and recomputes
    # the whole ledger: that is the work under test, not slow data generation.
    suppress_health_check=[HealthCheck.too_slow],
)

amounts = st.one_of(
    st.integers(1, 2_000_00),
    st.integers(1, 2_000_00),
    st.integers(1, MAX),
    st.sampled_from([0, -100, MAX, MAX + 1]),
)
days_ago = st.sampled_from([0, 0, 0, 1, 3, 20, 45, -1])  # -1: a day in the future
person = st.integers(0, PEOPLE - 1)
firm_index = st.integers(0, FIRMS - 1)
team_index = st.integers(0, FIRMS * TEAMS_PER_FIRM - 1)
# Who handles an entry: 0 the mission's staff, 1..FIRMS a workplace's admin, FIRMS + 1 a
# second member of the mission's staff (who never logs or gives anything).
handlers = st.integers(0, FIRMS + 1)
references = st.sampled_from(["Kvitto 1", "Bankgiro 2026-11-03 rad 7", "", "   "])
goal_number = st.integers(1, 5)
reasons = st.sampled_from(["Pengarna kom aldrig fram.", "Fel belopp.", "Fel datum.",
                           "Kvittot visar något annat.", "", "   "])


# --- The model --------------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    name: str
    db_id: int
    home: "Firm | None"


@dataclass(eq=False)
class Rule:
    percent: int
    cap: int
    scope: str


@dataclass(eq=False)
class Firm:
    index: int
    db_id: int
    admin: Person
    closing_day: int
    rules: list = field(default_factory=list)
    runs: set = field(default_factory=set)

    def rule_for(self, is_payroll: bool) -> Rule | None:
        # Every rule starts long before any collection and never ends: the newest of the
        # right scope applies.
        scopes = ("all", "payroll") if is_payroll else ("all",)
        return next((r for r in reversed(self.rules) if r.scope in scopes), None)


@dataclass(eq=False)
class Squad:
    db_id: int | None
    firm: Firm
    goal: int
    reference: str
    members: list = field(default_factory=list)  # in the order they joined
    captain: Person | None = None


@dataclass(eq=False)
class Entry:
    team: Squad
    firm: Firm
    goal: int
    amount: int
    day: date
    method: str
    status: str
    giver: Person | None
    logged_by: Person
    reverses: "Entry | None" = None
    corrects: "Entry | None" = None
    matches: "Entry | None" = None
    needs_count: bool = False
    counted: bool = False
    reversed: bool = False
    match: "Entry | None" = None  # the live employer match of this gift
    swish_linked: bool = False
    db_id: int | None = None

    @property
    def live(self) -> bool:
        return self.reverses is None and not self.reversed and self.status in LIVE

    def __repr__(self) -> str:
        return f"<entry {self.db_id} {self.method} {self.amount} {self.status}>"


@dataclass(eq=False)
class Duel:
    db_id: int
    challenger: Firm
    participants: dict  # Firm -> invited / accepted / declined
    starts_on: date
    ends_on: date
    goal: int | None
    status: str = "proposed"
    settled: bool = False
    frozen: dict = field(default_factory=dict)  # Firm -> figures when it stopped counting

    def counting(self, firm: Firm) -> bool:
        return (self.status in challenges.LIVE and not self.settled
                and self.participants[firm] != "declined")


@dataclass(eq=False)
class Pledged:
    db_id: int
    person: Person
    firm: Firm
    amount: int
    start_month: str
    goal: int


class Refused(Exception):
    """Marks a step the service refused, as the model said it would."""


def outcome(exc: Exception) -> str:
    """What kind of refusal an exception is, in the model's words."""
    if isinstance(exc, ledger.Refused):
        return "forbidden"
    if isinstance(exc, ledger.Conflict):
        return "conflict"
    if isinstance(exc, ledger.LedgerError):
        return "refused"
    if isinstance(exc, challenges.ChallengeError):
        return f"challenge {exc.status}"
    return type(exc).__name__


class LedgerMachine(RuleBasedStateMachine):
    """The ledger, its totals and everything that writes to them, against a model."""

    entries = Bundle("entries")
    duels = Bundle("duels")

    def __init__(self, app):
        super().__init__()
        self.app = app
        db.session.rollback()
        db.session.remove()
        _empty_database(app)
        self.rows: list[Entry] = []
        self.by_id: dict[int, Entry] = {}
        self.last_id = 0
        self.members: set[tuple[Person, Firm]] = set()
        self.pledges: list[Pledged] = []
        # Every payment a recorded report holds, in any state (booked, waiting, refused): a
        # later report counts it as already in an earlier file and books it no more.
        self.recorded_payments: set[str] = set()
        self.payment_count = 0
        self.sent_payments: list[tuple[str, Squad | None, int, date]] = []
        self.goal_teams: dict[tuple[Firm, int], Squad] = {}
        self.duel_list: list[Duel] = []
        goals = db.session.execute(db.select(Goal)).scalars().all()
        self.goal_ids = {g.number: g.id for g in goals}
        self.goal_titles = {g.number: g.title for g in goals}

    def teardown(self):
        db.session.rollback()
        db.session.remove()

    # --- The world: three workplaces, each with an admin, three people and two teams ---

    @initialize(
        percents=st.lists(st.integers(1, 100), min_size=FIRMS, max_size=FIRMS),
        caps=st.lists(st.sampled_from([0, 3_000, 50_000, 10_000_000]), min_size=FIRMS,
                      max_size=FIRMS),
        scopes=st.lists(st.sampled_from(sorted(matching.SCOPES)), min_size=FIRMS,
                        max_size=FIRMS),
        closing_days=st.lists(st.integers(1, 28), min_size=FIRMS, max_size=FIRMS),
        goals=st.lists(goal_number, min_size=FIRMS * TEAMS_PER_FIRM,
                       max_size=FIRMS * TEAMS_PER_FIRM),
    )
    def build_world(self, percents, caps, scopes, closing_days, goals):
        self.people: list[Person] = []
        self.firms: list[Firm] = []
        self.squads: list[Squad] = []
        for c in range(FIRMS):
            admin_user = factories.make_user(display_name=f"Admin {c}")
            company = factories.make_company(admin=admin_user)
            admin = Person(f"Admin {c}", admin_user.id, None)
            firm = Firm(c, company.id, admin, closing_days[c])
            admin.home = firm
            self.firms.append(firm)
            self.members.add((admin, firm))
            staff_people = []
            for i in range(PEOPLE_PER_FIRM):
                user = factories.make_user(display_name=f"Person {c}{i}")
                factories.add_member(company, user)
                p = Person(f"Person {c}{i}", user.id, firm)
                staff_people.append(p)
                self.members.add((p, firm))
            self.people += [admin] + staff_people
            # Team 0: person 0 (captain) and person 1; team 1: person 2 (captain).
            for t, (captain, others) in enumerate(
                    [(staff_people[0], [staff_people[1]]), (staff_people[2], [])]):
                goal = goals[c * TEAMS_PER_FIRM + t]
                team = factories.make_team(company, captain=db.session.get(User, captain.db_id),
                                           goal_number=goal)
                squad = Squad(team.id, firm, goal, team.reference, [captain], captain)
                for other in others:
                    factories.join_team(team, db.session.get(User, other.db_id))
                    squad.members.append(other)
                self.squads.append(squad)
            payroll.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                                min_monthly_ore=0, closing_day=closing_days[c],
                                uses_employee_numbers=False, actor=admin_user)
            matching.add_rule(company, percents[c], caps[c], scopes[c],
                              TODAY - timedelta(days=400), None, admin_user)
            firm.rules.append(Rule(percents[c], caps[c], scopes[c]))
        staff_user = factories.make_user(display_name="Stadsmissionen", is_staff=True)
        self.staff = Person("Stadsmissionen", staff_user.id, None)
        self.people.append(self.staff)
        colleague = factories.make_user(display_name="Stadsmissionen två", is_staff=True)
        self.other_staff = Person("Stadsmissionen två", colleague.id, None)
        factories.commit()
        self.last_id = db.session.execute(
            db.select(db.func.coalesce(db.func.max(LedgerEntry.id), 0))).scalar_one()

    # --- Running a step ----------------------------------------------------------------

    def attempt(self, expected: str | None, action):
        """Run a service call and commit; or, refused, roll back. Either way as predicted."""
        try:
            result = action()
            db.session.flush()
        except (ValueError, challenges.ChallengeError) as exc:
            db.session.rollback()
            assert outcome(exc) == expected, (
                f"the model expected {expected or 'success'}, the service said "
                f"{outcome(exc)}: {exc}")
            raise Refused from exc
        if expected is not None:
            db.session.rollback()
            raise AssertionError(f"the model expected {expected}, the service went ahead")
        db.session.commit()
        return result

    def written(self, predicted: list[Entry]) -> list[Entry]:
        """Check that the ledger rows just written are the predicted ones, in order."""
        rows = db.session.execute(
            db.select(LedgerEntry).where(LedgerEntry.id > self.last_id).order_by(LedgerEntry.id)
        ).scalars().all()
        assert len(rows) == len(predicted), (
            f"expected {len(predicted)} new ledger rows {predicted}, found {rows}")
        for row, entry in zip(rows, predicted, strict=True):
            entry.db_id = row.id
            assert self.row_of(row) == self.expected_row(entry), f"row {row.id} differs"
            self.by_id[row.id] = entry
            self.last_id = row.id
        self.rows += predicted
        return predicted

    @staticmethod
    def row_of(row: LedgerEntry) -> tuple:
        return (row.team_id, row.company_id, row.goal_id, row.amount_ore, row.collected_on,
                row.method, row.status, row.giver_id, row.logged_by_id, row.reverses_id,
                row.corrects_id, row.matches_id, bool(row.needs_count_confirm))

    def expected_row(self, e: Entry) -> tuple:
        def id_of(x):
            return x.db_id if x is not None else None

        return (e.team.db_id, e.firm.db_id, self.goal_ids[e.goal], e.amount, e.day, e.method,
                e.status, id_of(e.giver), e.logged_by.db_id, id_of(e.reverses),
                id_of(e.corrects), id_of(e.matches), e.needs_count)

    def user(self, p: Person) -> User:
        return db.session.get(User, p.db_id)

    def team(self, s: Squad) -> Team:
        return db.session.get(Team, s.db_id)

    # --- The model's rules (what the services must do) ---------------------------------

    def used_cap(self, firm: Firm, giver: Person, year: int, new: list) -> int:
        # Every match the ledger holds, net of its reversal (as the stored usage counts).
        return sum(e.amount for e in self.rows + new
                   if e.method == "match" and e.firm is firm and e.giver is giver
                   and e.day.year == year)

    def is_staff(self, p: Person) -> bool:
        return p is self.staff or p is self.other_staff

    @staticmethod
    def own(entry: Entry, p: Person) -> bool:
        """Nobody confirms an entry they logged or whose money counts for them."""
        return entry.logged_by is p or entry.giver is p

    def add(self, new: list, **values) -> Entry:
        entry = Entry(**values)
        new.append(entry)
        if entry.status in ATTESTED and entry.reverses is None:
            self.match(entry, entry.logged_by, new)
        return entry

    def match(self, gift: Entry, actor: Person, new: list) -> None:
        """The employer's match of a gift that has just become attested (or received
        without an attestation), if any; the match itself is attested."""
        if gift.giver is None or gift.method == "match":
            return
        rule_ = gift.firm.rule_for(gift.method == "payroll")
        if rule_ is None or (gift.giver, gift.firm) not in self.members:
            return
        room = rule_.cap - self.used_cap(gift.firm, gift.giver, gift.day.year, new)
        amount = min(gift.amount * rule_.percent // 100, room)
        if amount <= 0:
            return
        gift.match = Entry(gift.team, gift.firm, gift.goal, amount, gift.day, "match",
                           "attested", gift.giver, actor, matches=gift)
        new.append(gift.match)

    def reverse(self, entry: Entry, actor: Person, new: list) -> None:
        new.append(Entry(entry.team, entry.firm, entry.goal, -entry.amount, entry.day,
                         entry.method, entry.status, entry.giver, actor, reverses=entry))
        entry.reversed = True
        if entry.match is not None and entry.method != "match":
            self.reverse(entry.match, actor, new)
            entry.match = None

    def freeze_stopping(self, duel: Duel, change) -> None:
        """Apply `change` to a challenge; a workplace that stops counting keeps its figures."""
        before = {f: self.figures(duel, f) for f in duel.participants if duel.counting(f)}
        change()
        for firm, figures in before.items():
            if not duel.counting(firm):
                duel.frozen[firm] = figures

    def figures(self, duel: Duel, firm: Firm) -> dict:
        """A workplace's figures in a challenge, recomputed from the live entries."""
        if firm in duel.frozen:
            return duel.frozen[firm]
        result: dict[tuple[str, str], list[int]] = {}
        for e in self.rows:
            if not (e.live and e.firm is firm and duel.starts_on <= e.day <= duel.ends_on):
                continue
            if duel.goal is not None and e.goal != duel.goal:
                continue
            attested = e.status in ATTESTED
            received = e.status == "received"
            keys = [("company", ""), ("team", str(e.team.db_id)), ("day", e.day.isoformat())]
            if e.giver is not None:
                keys.append(("person", str(e.giver.db_id)))
            for key in keys:
                row = result.setdefault(key, [0, 0, 0, 0, 0, 0])
                row[0] += e.amount
                row[1] += e.amount if attested else 0
                row[2] += e.amount if received else 0
                row[3] += 1
                row[4] += 1 if attested else 0
                row[5] += 1 if received else 0
        return result

    # --- Collections -------------------------------------------------------------------

    @rule(target=entries, team=team_index, amount=amounts, method=st.sampled_from(LOG_METHODS),
          logger=person, giver=st.one_of(st.just("logger"), st.none(), person),
          ago=days_ago)
    def log(self, team, amount, method, logger, giver, ago):
        return self.log_collection(self.squads[team], amount, method, self.people[logger],
                                   giver, ago)

    @rule(target=entries, team=team_index, amount=st.integers(LIMIT + 1, MAX), logger=person)
    def log_large_cash(self, team, amount, logger):
        return self.log_collection(self.squads[team], amount, "cash", self.people[logger],
                                   "logger", 0)

    def log_collection(self, squad, amount, method, logger, giver, ago):
        day = TODAY - timedelta(days=ago)
        expected = "refused" if not 0 < amount <= MAX or day > TODAY else None
        giver_person = logger if giver == "logger" else (
            None if giver is None else self.people[giver])
        kwargs = {} if giver == "logger" else {
            "giver_id": None if giver_person is None else giver_person.db_id}
        try:
            self.attempt(expected, lambda: ledger.log_collection(
                self.team(squad), amount, day, method, "", logged_by=self.user(logger),
                **kwargs))
        except Refused:
            return multiple()
        new: list[Entry] = []
        self.add(new, team=squad, firm=squad.firm, goal=squad.goal, amount=amount, day=day,
                 method=method, status="pending", giver=giver_person, logged_by=logger,
                 needs_count=method == "cash" and amount > LIMIT)
        return multiple(*self.written(new))

    def handler(self, index: int) -> Person:
        if index == 0:
            return self.staff
        return self.other_staff if index > FIRMS else self.firms[index - 1].admin

    @rule(target=entries, entry=entries, actor=handlers)
    def attest(self, entry, actor):
        """The workplace's admins (and the mission's staff) attest a reported entry, never
        one they logged or gave, nor an employer match (it follows its gift)."""
        actor = self.handler(actor)
        if entry.method == "match" or self.own(entry, actor) or not (
                self.is_staff(actor) or actor is entry.firm.admin):
            expected = "forbidden"
        elif entry.reverses is not None:
            expected = "refused"
        elif entry.status != "pending" or entry.reversed:
            expected = "conflict"
        elif entry.needs_count and not entry.counted:
            expected = "refused"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: ledger.attest_entry(entry.db_id, self.user(actor)))
        except Refused:
            return multiple()
        entry.status = "attested"
        new: list[Entry] = []
        self.match(entry, actor, new)
        return multiple(*self.written(new))

    @rule(target=entries, entry=entries, actor=handlers, reference=references)
    def receive(self, entry, actor, reference):
        """Only the mission's staff mark money received, with a reference, never for an
        entry they logged or gave; reported or attested entries (an employer match too)."""
        actor = self.handler(actor)
        if not self.is_staff(actor) or self.own(entry, actor):
            expected = "forbidden"
        elif not reference.strip() or entry.reverses is not None:
            expected = "refused"
        elif entry.status not in ("pending", "attested") or entry.reversed:
            expected = "conflict"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: ledger.receive_entry(
                entry.db_id, self.user(actor), reference, TODAY))
        except Refused:
            return multiple()
        was = entry.status
        entry.status = "received"
        new: list[Entry] = []
        if was == "pending":  # not attested before: the match comes now
            self.match(entry, actor, new)
        return multiple(*self.written(new))

    @rule(target=entries, entry=entries, actor=handlers, reason=reasons)
    def reject(self, entry, actor, reason):
        """The workplace's admins reject what is only reported; the mission's staff also
        what is attested. A rejected gift's match is reversed."""
        # Rejecting an employer match on its own is left out: what it should do is an open
        # question (see test_payroll_matching); a match is reversed instead.
        assume(entry.method != "match")
        actor = self.handler(actor)
        if not reason.strip():
            expected = "refused"
        elif not self.is_staff(actor) and (actor is not entry.firm.admin
                                           or entry.status == "attested"):
            expected = "forbidden"
        elif entry.reverses is not None:
            expected = "refused"
        elif entry.status not in ("pending", "attested") or entry.reversed:
            expected = "conflict"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: ledger.reject_entry(entry.db_id, self.user(actor),
                                                               reason))
        except Refused:
            return multiple()
        entry.status = "rejected"
        new: list[Entry] = []
        if entry.match is not None:
            self.reverse(entry.match, actor, new)
            entry.match = None
        return multiple(*self.written(new))

    @rule(target=entries, entry=entries, by_logger=st.booleans(), other=person)
    def withdraw(self, entry, by_logger, other):
        actor = entry.logged_by if by_logger else self.people[other]
        if entry.logged_by is not actor or entry.reverses is not None:
            expected = "refused"
        elif entry.status != "pending" or entry.reversed:
            expected = "conflict"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: ledger.withdraw_entry(entry.db_id, self.user(actor)))
        except Refused:
            return multiple()
        new: list[Entry] = []
        self.reverse(entry, actor, new)
        return multiple(*self.written(new))

    @rule(target=entries, entry=entries, actor=handlers, amount=amounts,
          ago=days_ago, method=st.sampled_from(CORRECT_METHODS), reason=reasons)
    def correct(self, entry, actor, amount, ago, method, reason):
        """A correction keeps the status when the mission's staff make it; anyone else's is
        only reported. Nothing becomes payroll that was not payroll."""
        actor = self.handler(actor)
        day = TODAY - timedelta(days=ago)
        if not reason.strip() or not 0 < amount <= MAX:
            expected = "refused"
        elif entry.reverses is not None or entry.method == "match" or method == "match":
            expected = "refused"
        elif method == "payroll" and entry.method != "payroll":
            expected = "refused"
        elif entry.status == "received" and not self.is_staff(actor):
            expected = "forbidden"  # money the mission has received only its staff correct
        elif entry.status == "rejected" or entry.reversed:
            expected = "conflict"
        elif day > TODAY:
            expected = "refused"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: ledger.correct_entry(
                entry.db_id, self.user(actor), amount, day, method, "", reason))
        except Refused:
            return multiple()
        new: list[Entry] = []
        self.reverse(entry, actor, new)
        self.add(new, team=entry.team, firm=entry.firm, goal=entry.goal, amount=amount,
                 day=day, method=method,
                 status=entry.status if self.is_staff(actor) else "pending",
                 giver=entry.giver, logged_by=actor, corrects=entry)
        return multiple(*self.written(new))

    @rule(target=entries, entry=entries, counter=person)
    def confirm_count(self, entry, counter):
        """A second colleague counts large cash with the one who logged it, and so attests
        it (never the logger or the giver; someone in the team or an admin of the workplace,
        never the mission's staff as such: they were not at the cash)."""
        counter = self.people[counter]
        if not entry.needs_count:
            expected = "refused"
        elif self.own(entry, counter):
            expected = "forbidden"
        elif not (counter in entry.team.members or counter is entry.firm.admin):
            expected = "forbidden"  # only the team or an admin counts a second time
        elif entry.counted or entry.status != "pending" or entry.reversed:
            expected = "conflict"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: ledger.confirm_count(entry.db_id, self.user(counter)))
        except Refused:
            return multiple()
        entry.counted = True
        entry.status = "attested"
        new: list[Entry] = []
        self.match(entry, counter, new)
        return multiple(*self.written(new))

    # --- The mission's Swish report ----------------------------------------------------

    @rule(target=entries, data=st.data())
    def import_swish_report(self, data):
        """Staff import a small report: payments for reported or attested Swish entries, new
        payments, payments already booked, payments without a team's code."""
        payments = []  # (payment id, team or None, amount, day)
        for _ in range(data.draw(st.integers(1, 3), label="payments")):
            kind = data.draw(st.sampled_from(["reported", "new", "again", "no code"]),
                             label="kind")
            waiting = [e for e in self.rows if e.method == "swish"
                       and e.status in ("pending", "attested")
                       and e.reverses is None and not e.reversed and not e.swish_linked]
            used = {p[0] for p in payments}
            earlier = [p for p in self.sent_payments if p[0] not in used]
            if kind == "reported" and waiting:
                entry = data.draw(st.sampled_from(waiting), label="reported entry")
                shift = data.draw(st.sampled_from([0, 2, 15]), label="days later")
                paid_on = min(entry.day + timedelta(days=shift), TODAY)
                payment = (None, entry.team, entry.amount, paid_on)
            elif kind == "again" and earlier:
                payment = data.draw(st.sampled_from(earlier), label="earlier payment")
            else:
                squad = None if kind == "no code" else self.squads[
                    data.draw(team_index, label="team")]
                amount = data.draw(st.one_of(st.integers(-500_00, 5_000_00),
                                             st.just(MAX + 1)), label="amount")
                ago = data.draw(st.integers(-1, 20), label="days ago")
                payment = (None, squad, amount, TODAY - timedelta(days=ago))
            if payment[0] is None:
                self.payment_count += 1
                payment = (f"SW{self.payment_count}",) + payment[1:]
            payments.append(payment)
        chosen = data.draw(st.lists(st.booleans(), min_size=len(payments),
                                    max_size=len(payments)), label="chosen")

        # The model's proposals and bookings, before anything is written.
        plan = []
        taken: set[int] = set()
        for (pid, squad, amount, paid_on), book in zip(payments, chosen, strict=True):
            # A row dated in the future or larger than a collection may be is refused when
            # the file is read: it proposes nothing (the others still book).
            if pid in self.recorded_payments or amount <= 0 or squad is None \
                    or amount > MAX or paid_on > TODAY:
                continue
            match = self.closest_reported(squad, amount, paid_on, taken)
            if match is not None:
                taken.add(id(match))
            if book:
                plan.append((pid, squad, amount, paid_on, match))
        # A file with no readable row is refused whole.
        readable = [p for p in payments if p[2] <= MAX and p[3] <= TODAY]
        expected = None if readable else "CsvImportError"

        lines = ["Datum;Belopp;Meddelande;Transaktions-ID"]
        for pid, squad, amount, paid_on in payments:
            sign = "-" if amount < 0 else ""
            kronor = f"{sign}{abs(amount) // 100},{abs(amount) % 100:02d}"
            message = f"Gåva {squad.reference}" if squad else "Gåva till er"
            lines.append(f"{paid_on.isoformat()};{kronor};{message};{pid}")

        def run():
            report = swish_import.read("\n".join(lines).encode("utf-8"))
            keys = {p.import_key for p, book in zip(report.payments, chosen, strict=True) if book}
            return swish_import.book(report, swish_import.propose(report.payments), keys,
                                     self.user(self.staff))

        try:
            self.attempt(expected, run)
        except Refused:
            return multiple()
        self.sent_payments += [p for p in payments if p not in self.sent_payments]
        # Rows the file could read are recorded with their key, booked or not.
        self.recorded_payments |= {p[0] for p in payments if p[2] <= MAX and p[3] <= TODAY}
        new: list[Entry] = []
        for _pid, squad, amount, paid_on, match in plan:
            if match is not None:
                if self.own(match, self.staff):
                    continue  # staff may not receive their own entry: the row is not booked
                was = match.status
                match.status = "received"
                match.swish_linked = True
                if was == "pending":
                    self.match(match, self.staff, new)
            else:
                created = self.add(new, team=squad, firm=squad.firm, goal=squad.goal,
                                   amount=amount, day=paid_on, method="swish",
                                   status="received", giver=None, logged_by=self.staff)
                created.swish_linked = True
        return multiple(*self.written(new))

    def closest_reported(self, squad, amount, paid_on, taken) -> Entry | None:
        """The reported or attested Swish entry a payment pays: same team and amount,
        nearest date within two weeks, the earliest (date, id) on a tie."""
        best = None
        for e in sorted(self.rows, key=lambda e: (e.day, e.db_id)):
            if (id(e) in taken or e.team is not squad or e.amount != amount
                    or e.method != "swish" or e.status not in ("pending", "attested")
                    or e.reverses is not None
                    or e.reversed or e.swish_linked):
                continue
            distance = abs((e.day - paid_on).days)
            if distance > swish_import.MATCH_DAYS:
                continue
            if best is None or distance < abs((best.day - paid_on).days):
                best = e
        return best

    # --- Payroll giving and employer matching ------------------------------------------

    @rule(who=st.integers(0, FIRMS * (PEOPLE_PER_FIRM + 1) - 1),
          amount=st.integers(1, 300_000), months_back=st.integers(0, 3), goal=goal_number)
    def pledge(self, who, amount, months_back, goal):
        p = self.people[who]
        start = months.month_of(TODAY)
        for _ in range(months_back):
            start = months.previous_month(start)
        pledge = Pledge(company_id=p.home.db_id, user_id=p.db_id, kind="fixed",
                        amount_ore=amount, start_month=start, goal_id=self.goal_ids[goal])
        db.session.add(pledge)
        db.session.commit()
        self.pledges.append(Pledged(pledge.id, p, p.home, amount, start, goal))

    @rule(target=entries, firm=firm_index, months_back=st.integers(0, 2))
    def run_payroll_month(self, firm, months_back):
        firm = self.firms[firm]
        month = months.month_of(TODAY)
        for _ in range(months_back):
            month = months.previous_month(month)
        lines = sorted((p for p in self.pledges if p.firm is firm and p.start_month <= month),
                       key=lambda p: (p.person.name, p.db_id))
        day = months.pay_day(month, firm.closing_day)
        if month in firm.runs or day > TODAY:  # confirmed already, or before its pay day
            expected = "PayrollError"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: payroll.confirm_month(
                self.company(firm), month, {}, self.user(firm.admin), TODAY))
        except Refused:
            return multiple()
        firm.runs.add(month)
        new: list[Entry] = []
        for line in lines:
            squad = self.team_of(line.person, firm) or self.goal_team(firm, line.goal)
            self.add(new, team=squad, firm=firm, goal=squad.goal, amount=line.amount, day=day,
                     method="payroll", status="attested", giver=line.person,
                     logged_by=firm.admin)
        return multiple(*self.written(new))

    def team_of(self, p: Person, firm: Firm) -> Squad | None:
        return next((s for s in self.squads if s.firm is firm and p in s.members), None)

    def goal_team(self, firm: Firm, goal: int) -> Squad:
        """The workplace's team for payroll gifts of people in no team (made on first use)."""
        squad = self.goal_teams.get((firm, goal))
        if squad is None:
            team = db.session.execute(db.select(Team).where(
                Team.company_id == firm.db_id,
                Team.name == f"Löneavdrag till {self.goal_titles[goal]}")).scalar_one()
            squad = self.goal_teams[(firm, goal)] = Squad(team.id, firm, goal, team.reference)
        return squad

    @rule(firm=firm_index, percent=st.integers(0, 101),
          cap=st.sampled_from([0, 1_000, 20_000, 10_000_000, 10_000_001]),
          scope=st.sampled_from(sorted(matching.SCOPES)))
    def add_match_rule(self, firm, percent, cap, scope):
        firm = self.firms[firm]
        expected = None if 1 <= percent <= 100 and cap <= 10_000_000 else "MatchError"
        try:
            self.attempt(expected, lambda: matching.add_rule(
                self.company(firm), percent, cap, scope, TODAY - timedelta(days=400), None,
                self.user(firm.admin)))
        except Refused:
            return
        firm.rules.append(Rule(percent, cap, scope))

    # --- Challenges ----------------------------------------------------------------------

    def company(self, firm: Firm) -> Company:
        return db.session.get(Company, firm.db_id)

    @rule(target=duels, challenger=firm_index,
          # Steps from the challenger to its opponents; 0 is the challenger itself.
          opponents=st.lists(st.sampled_from([1, 2, 1, 2, 0]), min_size=1, max_size=2,
                             unique=True),
          days=st.integers(1, 10), goal=st.one_of(st.none(), st.none(), goal_number))
    def propose_challenge(self, challenger, opponents, days, goal):
        others = [self.firms[(challenger + step) % FIRMS] for step in opponents]
        challenger = self.firms[challenger]
        ends_on = TODAY + timedelta(days=days - 1)
        if challenger in others:
            expected = "challenge 422"
        elif any(d.status in challenges.LIVE
                 and sum(1 for f in [challenger, *others]
                         if d.participants.get(f) not in (None, "declined")) >= 2
                 for d in self.duel_list):
            expected = "challenge 409"
        else:
            expected = None
        try:
            challenge = self.attempt(expected, lambda: challenges.propose_challenge(
                self.company(challenger), [self.company(f) for f in others], TODAY, ends_on,
                "total", None if goal is None else self.goal_ids[goal], "Hej grannar!",
                self.user(challenger.admin)))
        except Refused:
            return multiple()
        duel = Duel(challenge.id, challenger,
                    {challenger: "accepted", **dict.fromkeys(others, "invited")},
                    TODAY, ends_on, goal)
        self.duel_list.append(duel)
        self.written([])
        return duel

    @rule(duel=duels, firm=firm_index, accept=st.booleans())
    def answer_challenge(self, duel, firm, accept):
        firm = self.firms[firm]
        if firm not in duel.participants or firm is duel.challenger:
            expected = "challenge 403"
        elif duel.participants[firm] != "invited" or duel.status not in challenges.LIVE:
            expected = "challenge 409"
        elif duel.settled:
            expected = "challenge 409"
        else:
            expected = None
        try:
            self.attempt(expected, lambda: challenges.answer_challenge(
                db.session.get(Challenge, duel.db_id), self.company(firm), accept, "",
                self.user(firm.admin)))
        except Refused:
            return

        def change():
            duel.participants[firm] = "accepted" if accept else "declined"
            invitees = [s for f, s in duel.participants.items() if f is not duel.challenger]
            if "invited" not in invitees:
                duel.status = "accepted" if "accepted" in invitees else "declined"

        self.freeze_stopping(duel, change)
        self.written([])

    @rule(duel=duels, moved=st.booleans())
    def settle_challenge(self, duel, moved):
        challenge = db.session.get(Challenge, duel.db_id)
        day = challenge_figures.settle_date(challenge) if moved else TODAY
        due = moved and duel.status == "accepted" and not duel.settled
        settled = self.attempt(None, lambda: challenges.settle_challenge(challenge, day))
        assert settled == due
        if not due:
            return
        finals = {
            p.company_id: p.final_ore for p in db.session.execute(
                db.select(ChallengeParticipant).where(
                    ChallengeParticipant.challenge_id == duel.db_id,
                    ChallengeParticipant.status == "accepted")).scalars()
        }
        # Settled on received money.
        expected = {f.db_id: self.figures(duel, f).get(("company", ""), [0] * 6)[2]
                    for f, s in duel.participants.items() if s == "accepted"}
        assert finals == expected

        def change():
            duel.settled = True

        self.freeze_stopping(duel, change)

    # --- Teams ---------------------------------------------------------------------------

    @rule(team=team_index, goal=goal_number, by_admin=st.booleans())
    def change_team_goal(self, team, goal, by_admin):
        squad = self.squads[team]
        actor = squad.firm.admin if by_admin or squad.captain is None else squad.captain
        t = self.team(squad)
        self.attempt(None, lambda: teams.update_team(t, {
            "name": t.name, "goal_id": self.goal_ids[goal], "target_ore": t.target_ore,
            "pitch": t.pitch}, self.user(actor)))
        squad.goal = goal

    @rule(team=team_index, who=person, by_admin=st.booleans())
    def leave_team(self, team, who, by_admin):
        squad = self.squads[team]
        p = self.people[who]
        actor = squad.firm.admin if by_admin else p
        expected = self.leaving_problem(squad, p, actor)
        try:
            self.attempt(expected, lambda: teams.leave_team(
                self.team(squad), self.user(p), self.user(actor)))
        except Refused:
            return
        self.leave(squad, p)

    def leaving_problem(self, squad: Squad, p: Person, actor: Person) -> str | None:
        if p not in squad.members:
            return "TeamError"
        if squad.captain is p and len(squad.members) > 1 and actor is p:
            return "TeamError"
        return None

    def leave(self, squad: Squad, p: Person) -> None:
        squad.members.remove(p)
        if squad.captain is p:
            squad.captain = squad.members[0] if squad.members else None

    @rule(team=team_index, who=person)
    def join_team(self, team, who):
        squad = self.squads[team]
        p = self.people[who]
        current = self.team_of(p, squad.firm)
        if current is squad:
            expected = "TeamError"
        elif current is not None:
            expected = self.leaving_problem(current, p, p)
        else:
            expected = None
        try:
            self.attempt(expected, lambda: teams.join_team(self.team(squad), self.user(p)))
        except Refused:
            return
        if current is not None:
            self.leave(current, p)
        squad.members.append(p)
        self.members.add((p, squad.firm))

    # --- What must hold after every step ----------------------------------------------

    @invariant()
    def stored_totals_equal_the_ledger(self):
        db.session.expire_all()
        assert check.differences() == []

    @invariant()
    def ledger_is_sound(self):
        assert soundness.problems() == []

    @invariant()
    def every_entry_has_the_status_the_model_says(self):
        statuses = dict(db.session.execute(db.select(LedgerEntry.id, LedgerEntry.status)).all())
        assert statuses == {e.db_id: e.status for e in self.rows}
        reversed_ids = set(db.session.execute(
            db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
        ).scalars())
        assert reversed_ids == {e.db_id for e in self.rows if e.reversed}

    @invariant()
    def totals_equal_the_models_sums(self):
        want: dict[tuple[str, int], list[int]] = {}
        for e in self.rows:
            subjects = [("team", e.team.db_id), ("company", e.firm.db_id),
                        ("goal", self.goal_ids[e.goal]),
                        (f"cg:{self.goal_ids[e.goal]}", e.firm.db_id),
                        (f"tg:{self.goal_ids[e.goal]}", e.team.db_id)]
            is_match = e.method == "match"
            for subject in subjects:
                row = want.setdefault(subject, [0] * 7)
                row[6] += 1 if e.reverses is None else 0
                if e.live:
                    attested = e.amount if e.status in ATTESTED else 0
                    received = e.amount if e.status == "received" else 0
                    row[0] += e.amount
                    row[1] += attested
                    row[2] += received
                    row[3] += e.amount if is_match else 0
                    row[4] += attested if is_match else 0
                    row[5] += received if is_match else 0
        have = {
            (t.subject, t.subject_id): [t.reported_ore, t.attested_ore, t.received_ore,
                                        t.match_reported_ore, t.match_attested_ore,
                                        t.match_received_ore, t.entry_count]
            for t in db.session.execute(db.select(Tally).where(Tally.period == "all")).scalars()
        }
        assert _nonzero(have) == _nonzero(want)

    @invariant()
    def challenge_figures_equal_a_recomputation(self):
        have = {
            (t.challenge_id, t.company_id, t.kind, t.key): [
                t.reported_ore, t.attested_ore, t.received_ore, t.reported_count,
                t.attested_count, t.received_count]
            for t in db.session.execute(db.select(ChallengeTally)).scalars()
        }
        want = {
            (duel.db_id, firm.db_id, kind, key): figures
            for duel in self.duel_list for firm in duel.participants
            for (kind, key), figures in self.figures(duel, firm).items()
        }
        assert _nonzero(have) == _nonzero(want)


def _nonzero(figures: dict) -> dict:
    return {key: list(value) for key, value in figures.items() if any(value)}


class CampaignChanges:
    """The mission plans the next campaign while the ledger moves: no stored figure of any
    campaign changes because of it (ledger-check, an invariant, proves the rest)."""

    @rule(days_ahead=st.integers(-1, 40), length=st.one_of(st.none(), st.integers(1, 90)))
    def plan_next_campaign(self, days_ahead, length):
        today = campaigns.today()
        starts_on = today + timedelta(days=days_ahead)
        ends_on = None if length is None else starts_on + timedelta(days=length)
        # The campaigns there are (the seeded one, and those planned in earlier steps).
        planned = [(c.starts_on, c.ends_on)
                   for c in db.session.execute(db.select(Campaign)).scalars()]
        # A new campaign starts tomorrow at the earliest and overlaps no other, except an
        # open one that started before it (that one ends the day before).
        clash = any(
            not (end is None and start < starts_on)
            and start <= (ends_on or date.max) and starts_on <= (end or date.max)
            for start, end in planned
        )
        expected = "CampaignDatesError" if days_ahead < 1 or clash else None
        before = self.campaign_figures()
        try:
            self.attempt(expected, lambda: staff_services.add_campaign(
                f"Kampanj {len(planned) + 1}", starts_on, ends_on, self.user(self.staff)))
        except Refused:
            return
        assert self.campaign_figures() == before
        self.written([])

    def campaign_figures(self) -> dict:
        return {
            (t.subject, t.subject_id, t.period): (t.reported_ore, t.received_ore, t.entry_count)
            for t in db.session.execute(
                db.select(Tally).where(Tally.period.like("c%"))).scalars()
        }


# Mixin classes with further @rule methods join the machine here and share its model and
# invariants.
EXTRA_RULES: tuple[type, ...] = (CampaignChanges,)

LedgerProperties = type("LedgerProperties", (*EXTRA_RULES, LedgerMachine), {})


def test_random_sequences_of_ledger_changes_keep_every_total_and_rule(app, app_ctx):
    run_state_machine_as_test(lambda: LedgerProperties(app), settings=SETTINGS)


def test_correcting_a_collection_into_an_employer_match_is_refused(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    member = factories.make_user()
    team = factories.make_team(company, captain=member)
    entry = factories.make_collection(team, amount_ore=500_00, logged_by=member)
    factories.commit()
    with pytest.raises(ledger.LedgerError):
        ledger.correct_entry(entry.id, admin, 194, TODAY, "match", "", "Fel sätt.")
    db.session.rollback()
    assert soundness.problems() == []
