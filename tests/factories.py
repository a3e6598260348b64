"""Test builders with sensible defaults and keyword overrides. They flush, never commit
(except `commit()`), and must run inside an app context."""

import itertools

from lokalamal_app import clock
from lokalamal_app.auth.services import register_user
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import Company, Goal, Membership, Team, TeamMember, User
from lokalamal_app.models.company import name_key
from lokalamal_app.text import slugify

PASSWORD = "rätt häst batteri"
_seq = itertools.count(1)


def commit():
    db.session.commit()


def goal(number: int = 3) -> Goal:
    return db.session.execute(db.select(Goal).where(Goal.number == number)).scalar_one()


def make_user(**kw) -> User:
    n = next(_seq)
    password = kw.pop("password", PASSWORD)
    name = kw.pop("display_name", f"Testperson {n}")
    email = kw.pop("email", f"person{n}@example.se")
    user = register_user(name, email, password)
    for key, value in kw.items():
        setattr(user, key, value)
    db.session.flush()
    return user


def make_company(admin: User | None = None, **kw) -> Company:
    n = next(_seq)
    name = kw.pop("name", f"Testföretaget {n} AB")
    values = dict(
        name=name, name_key=name_key(name), slug=slugify(name), street="Stora Gatan 1",
        postcode="72212", city="Västerås", headcount=10,
    )
    values.update(kw)
    company = Company(**values)
    db.session.add(company)
    db.session.flush()
    if admin is not None:
        db.session.add(Membership(user_id=admin.id, company_id=company.id, role="admin"))
        db.session.flush()
    return company


def add_member(company: Company, user: User, role: str = "member") -> Membership:
    membership = Membership(user_id=user.id, company_id=company.id, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_team(company: Company, captain: User | None = None, goal_number: int = 3, **kw) -> Team:
    n = next(_seq)
    name = kw.pop("name", f"Laget {n}")
    values = dict(
        company_id=company.id, goal_id=goal(goal_number).id, name=name, name_key=name_key(name),
        slug=slugify(f"{name}-{company.slug}", 150), reference=f"T{n:05d}",
        captain_id=captain.id if captain else None,
    )
    values.update(kw)
    team = Team(**values)
    db.session.add(team)
    db.session.flush()
    if captain is not None:
        join_team(team, captain)
    return team


def join_team(team: Team, user: User) -> TeamMember:
    if not db.session.execute(
        db.select(Membership.id).where(
            Membership.user_id == user.id, Membership.company_id == team.company_id
        )
    ).first():
        add_member(db.session.get(Company, team.company_id), user)
    member = TeamMember(team_id=team.id, user_id=user.id, company_id=team.company_id)
    db.session.add(member)
    db.session.flush()
    return member


def make_collection(team: Team, amount_ore: int = 500_00, **kw):
    if kw.get("status") == "received":
        # Money the mission has received always carries the day it came in and a reference.
        kw.setdefault("received_on", kw.get("collected_on", clock.today()))
        kw.setdefault("received_reference", "Kvitto 1")
    return ledger.log_collection(
        team,
        amount_ore,
        kw.pop("collected_on", clock.today()),
        kw.pop("method", "swish"),
        kw.pop("note", ""),
        **kw,
    )
