"""Fictional demo data: Västerås workplaces, teams, people and collections.

Everything here is made up. It runs only outside production and only on a database with
no real (non-demo) users, so it can never mix with real people's data.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from . import clock
from .auth.passwords import hash_password
from .extensions import db
from .ledger import services as ledger
from .models import Company, Goal, Membership, Team, TeamMember, User
from .models.company import name_key
from .orgnr import luhn_check_digit
from .text import slugify


class DemoDataRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str


DEMO_ACCOUNTS = [
    DemoAccount("Stadsmissionens personal", "personal@demo.lokalamal.se", "Sara Lindqvist"),
    DemoAccount("Företagsadministratör", "admin@demo.lokalamal.se", "Johan Berg"),
    DemoAccount("Lagkapten", "kapten@demo.lokalamal.se", "Amina Hassan"),
    DemoAccount("Medarbetare", "medarbetare@demo.lokalamal.se", "Erik Nilsson"),
    # The other side of the demo challenge (Lundby Design AB), people of its own.
    DemoAccount("Företagsadministratör hos grannen", "granne-admin@demo.lokalamal.se",
                "Lovisa Strand"),
    DemoAccount("Medarbetare hos grannen", "granne@demo.lokalamal.se", "Omar Haddad"),
]

# name, street, postcode, headcount, org number stem (nine digits; the check digit is added)
WORKPLACES = [
    ("Kopparlunden Teknik AB", "Kopparbergsvägen 17", "72213", 48, "556812345"),
    ("Lundby Design AB", "Kopparbergsvägen 17", "72213", 12, "559013572"),
    ("Mälarhamnens Redovisning AB", "Östra Hamnen 4", "72212", 23, "556777111"),
    ("Aros Logistik AB", "Saltängsvägen 5", "72132", 95, "556443210"),
    ("Sjöhagens Bygg & Fastighet AB", "Sjöhagsvägen 3", "72132", 60, "559102030"),
    ("Stenby Vård och Omsorg AB", "Stenbygatan 12", "72335", 34, "556998877"),
]

TEAMS = [
    # workplace index, team name, goal number, target kronor, pitch
    (0, "Fikagänget", 3, 15000, "Vi bakar på fredagar och säljer till hela huset."),
    (0, "Kodklubben", 5, 20000, "Vi skänker en timlön i månaden och utmanar grannarna."),
    (0, "Lunchlöparna", 4, 8000, "En krona per kilometer vi springer på lunchen."),
    (1, "Designstudion", 1, 10000, "Små men envisa: vi slår Kopparlunden per anställd."),
    (1, "Skissblocket", 3, None, ""),
    (2, "Siffernissarna", 2, 12000, "Vi räknar, vi samlar, vi redovisar varje krona."),
    (2, "Bokslutsbröderna", 1, 6000, ""),
    (3, "Truckförarna", 1, 25000, "Pantburkar från hela lagret går till Ingen hemlöshet."),
    (3, "Kontoret på loftet", 4, 9000, "Loppis i personalrummet varje månad."),
    (3, "Nattskiftet", 2, None, ""),
    (4, "Byggboden", 5, 18000, "Vi vill att alla ska kunna jobba – vi börjar med att samla."),
    (4, "Ritkontoret", 3, 7000, ""),
    (5, "Dagpasset", 3, 10000, "Vi vet hur ensamheten ser ut. Nu samlar vi för att bryta den."),
    (5, "Kvällspasset", 4, 5000, ""),
]

FIRST_NAMES = [
    "Anna", "Lars", "Maria", "Mohammed", "Karin", "Peter", "Elin", "Ali", "Sofia", "Anders",
    "Fatima", "Jonas", "Emma", "Mikael", "Lina", "Oskar", "Sanna", "Hassan", "Ida", "Björn",
    "Nora", "Viktor", "Leila", "Patrik", "Maja", "Daniel", "Hanna", "Yusuf", "Ebba", "Tomas",
]
LAST_INITIALS = "ABDEFGHJKLMNOPRSTV"
NOTES = [
    "Fikaförsäljning fredag", "Swish-insamling på veckomötet", "Loppis i personalrummet",
    "Pantburkar från lagret", "Lunchpromenad med insamling", "Tårtbak till kundmötet",
    "Quiz efter jobbet", "Bössa i receptionen", "Julmarknad på kontoret", "",
]


def org_number(stem: str) -> str:
    return stem + str(luhn_check_digit(stem))


def has_real_users() -> bool:
    return db.session.execute(
        db.select(User.id).where(User.is_demo.is_(False)).limit(1)
    ).first() is not None


def has_any_users() -> bool:
    return db.session.execute(db.select(User.id).limit(1)).first() is not None


def load(seed: int = 2026, today: date | None = None) -> dict:
    """Create the demo world; flushes, the caller commits."""
    if not current_app.config.get("ALLOW_DEMO_DATA"):
        raise DemoDataRefused("Demodata får inte läggas in i produktionskonfigurationen.")
    if has_real_users():
        raise DemoDataRefused("Databasen har riktiga användare; demodata läggs inte in.")
    rng = random.Random(seed)
    today = today or clock.today()
    password_hash = hash_password(current_app.config["DEMO_PASSWORD"])
    goals = {g.number: g for g in db.session.execute(db.select(Goal)).scalars()}

    def person(name: str, email: str, **extra) -> User:
        user = User(display_name=name, email=email, password_hash=password_hash, is_demo=True,
                    **extra)
        db.session.add(user)
        return user

    staff, admin, captain, employee, neighbour_admin, neighbour = (
        person(a.name, a.email) for a in DEMO_ACCOUNTS
    )
    staff.is_staff = True

    companies = []
    for name, street, postcode, headcount, stem in WORKPLACES:
        company = Company(
            name=name, name_key=name_key(name), slug=slugify(name), street=street,
            postcode=postcode, city="Västerås", headcount=headcount, org_number=org_number(stem),
            created_by_id=None,
        )
        db.session.add(company)
        companies.append(company)
    db.session.flush()
    for company in companies:
        company.created_by_id = admin.id if company is companies[0] else None

    teams = []
    for n, (ci, name, goal_no, target_kr, pitch) in enumerate(TEAMS, start=1):
        company = companies[ci]
        team = Team(
            company_id=company.id, goal_id=goals[goal_no].id, name=name, name_key=name_key(name),
            slug=slugify(f"{name}-{company.slug}", 150), target_ore=target_kr * 100 if target_kr else None,
            pitch=pitch, reference=f"LM{100 + n}",
        )
        db.session.add(team)
        teams.append(team)
    db.session.flush()

    # The demo accounts: admin, captain and employee at Kopparlunden Teknik; an admin (the
    # captain of Designstudion) and an employee at Lundby Design, the other side of the
    # demo challenge. Nobody belongs to both sides.
    first, second = companies[0], companies[1]
    db.session.add_all([
        Membership(user=admin, company=first, role="admin"),
        Membership(user=captain, company=first, role="member"),
        Membership(user=employee, company=first, role="member"),
        Membership(user=neighbour_admin, company=second, role="admin"),
        Membership(user=neighbour, company=second, role="member"),
    ])
    teams[0].captain_id = captain.id
    design = next(t for t in teams if t.company_id == second.id)
    design.captain_id = neighbour_admin.id
    db.session.add_all([
        TeamMember(team=teams[0], user=captain, company_id=first.id),
        TeamMember(team=teams[0], user=employee, company_id=first.id),
        TeamMember(team=teams[1], user=admin, company_id=first.id),
        TeamMember(team=design, user=neighbour_admin, company_id=second.id),
        TeamMember(team=design, user=neighbour, company_id=second.id),
    ])

    people_by_team: dict[int, list[User]] = {t.id: [] for t in teams}
    counter = 0
    for team in teams:
        company = next(c for c in companies if c.id == team.company_id)
        for _ in range(rng.randint(3, 7)):
            counter += 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}."
            user = person(name, f"kollega{counter}@demo.lokalamal.se",
                          show_name=rng.random() < 0.3)
            db.session.add(Membership(user=user, company=company, role="member"))
            db.session.add(TeamMember(team=team, user=user, company_id=company.id))
            people_by_team[team.id].append(user)
        if team.captain_id is None:
            team.captain = people_by_team[team.id][0]
        if company is not first and not any(
            m.role == "admin" for m in company.memberships
        ):
            db.session.flush()
            db.session.execute(
                db.update(Membership)
                .where(Membership.user_id == people_by_team[team.id][0].id,
                       Membership.company_id == company.id)
                .values(role="admin")
            )
    db.session.flush()
    people_by_team[teams[0].id] += [captain, employee]
    people_by_team[design.id] += [neighbour_admin, neighbour]

    methods = ["swish", "swish", "swish", "cash", "card", "event", "other"]
    # Each workplace's admin attests what colleagues logged; the mission receives what has
    # come in. Older collections have come further, so the boards show all three figures.
    admin_of = dict(db.session.execute(
        db.select(Membership.company_id, Membership.user_id).where(Membership.role == "admin")
    ).all())
    users = {u.id: u for people in people_by_team.values() for u in people} | {admin.id: admin}
    entries = 0
    for team in teams:
        for _ in range(rng.randint(5, 14)):
            logger = rng.choice(people_by_team[team.id])
            day = today - timedelta(days=rng.randint(0, 56))
            amount = rng.choice([100, 150, 200, 250, 300, 500, 750, 1000, 1200, 2500]) * 100
            if rng.random() < 0.2:
                amount += rng.choice([50, 25, 90])
            method = rng.choice(methods)
            entry = ledger.log_collection(team, amount, day, method, rng.choice(NOTES),
                                          logged_by=logger)
            entries += 1
            age, luck = (today - day).days, rng.random()
            attester = users.get(admin_of.get(team.company_id))
            if entry.awaiting_count:
                continue
            if age > 7 and luck < 0.55:
                arrived = min(today, day + timedelta(days=3))
                ledger.receive_entry(entry, staff, f"Insättning {arrived.isoformat()}", arrived)
            elif age > 2 and luck < 0.8 and attester is not None and attester is not logger:
                ledger.attest_entry(entry, attester)
    db.session.flush()
    world = DemoWorld(staff, admin, captain, employee, companies, teams, people_by_team, today,
                      rng, neighbour_admin, neighbour)
    for extend in feature_steps():
        extend(world)
    db.session.flush()
    return {"companies": len(companies), "teams": len(teams), "entries": entries}


@dataclass
class DemoWorld:
    """What the core demo made, handed to each feature's demo step to build on."""

    staff: User
    admin: User
    captain: User
    employee: User
    companies: list[Company]
    teams: list[Team]
    people_by_team: dict[int, list[User]]
    today: date
    rng: random.Random
    neighbour_admin: User  # admin at Lundby Design, the demo challenge's other side
    neighbour: User  # employee at Lundby Design


def feature_steps():
    """Each feature's demo step, called with the DemoWorld after the core data.

    A feature adds `from .<feature>.demo import load as <feature>` here and returns it in
    the list; imports stay inside so that demo data never loads at app start.
    """
    from .activities.demo import load as activities
    from .cashboxes.demo import load as cashboxes
    from .challenges.demo import load as challenges
    from .companies.demo import load as companies
    from .ledger.demo import load as ledger
    from .milestones.demo import load as milestones
    from .payroll.demo import load as payroll
    from .reconciliation.demo import load as reconciliation
    from .rounds.demo import load as rounds
    from .staff.demo import load as staff

    return [companies, ledger, cashboxes, challenges, activities, payroll, staff, reconciliation,
            milestones, rounds]
