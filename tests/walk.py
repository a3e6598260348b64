"""Walk the app's url map: a world of real objects (the demo data, made by the features'
own services) and URLs for every rule with their arguments filled from it."""

import re

from flask import current_app

from lokalamal_app import clock, demo
from lokalamal_app.auth.services import reset_token
from lokalamal_app.extensions import db
from lokalamal_app.models import (
    Activity,
    BankPayment,
    Campaign,
    CashBoxCount,
    Challenge,
    Company,
    EmbedOrigin,
    Goal,
    ImpactLine,
    Inquiry,
    JoinRequest,
    LedgerEntry,
    MatchRule,
    Membership,
    Milestone,
    Partner,
    Round,
    Team,
    User,
    WebhookEndpoint,
)
from lokalamal_app.payroll import months

from . import factories

# Endpoints not worth walking: static files.
SKIP = {"static"}


def first(model, *where):
    return db.session.execute(db.select(model).where(*where).order_by(model.id)).scalars().first()


def build_world() -> dict:
    """The demo world plus a pending join request; returns the values URLs are filled from."""
    demo.load()
    db.session.flush()
    staff = first(User, User.email == "personal@demo.lokalamal.se")
    admin = first(User, User.email == "admin@demo.lokalamal.se")
    member = first(User, User.email == "medarbetare@demo.lokalamal.se")
    company = first(Company, Company.id == first(Membership, Membership.user_id == admin.id,
                                                 Membership.role == "admin").company_id)
    team = first(Team, Team.company_id == company.id)
    other_member = first(Membership, Membership.company_id == company.id,
                         Membership.user_id.not_in([admin.id, staff.id]))
    outsider = factories.make_user()
    if first(JoinRequest) is None:
        db.session.add(JoinRequest(company_id=company.id, user_id=outsider.id))
        db.session.flush()
    goal = first(Goal)
    box_count = first(CashBoxCount)
    # An intranet origin and a webhook for the workplace (the demo has neither: a demo
    # webhook would post to a real chat service).
    origin = EmbedOrigin(company_id=company.id, origin="https://intranat.example.se")
    hook = WebhookEndpoint(company_id=company.id, kind="slack",
                           url="https://hooks.slack.com/services/T0/B0/demo")
    db.session.add_all([origin, hook])
    db.session.flush()
    milestone = first(Milestone, Milestone.team_id == team.id) or first(Milestone)
    world = {
        "staff": staff.email, "admin": admin.email, "member": member.email,
        "challenge_id": (first(Challenge) or _none()).id,
        "company_slug": company.slug, "goal_slug": goal.slug, "goal_id": goal.id,
        "team_slug": team.slug, "team_id": team.id, "user_id": other_member.user_id,
        "year": clock.today().year, "month": months.month_of(clock.today()),
        "entry_id": first(LedgerEntry, LedgerEntry.team_id == team.id).id,
        "partner_id": first(Partner).id, "line_id": first(ImpactLine).id,
        "payment_id": (first(BankPayment, BankPayment.status == "waiting") or _none()).id,
        "inquiry_id": first(Inquiry).id, "request_id": first(JoinRequest).id,
        "rule_id": (first(MatchRule) or _none()).id, "join_code": company.join_code,
        "token": reset_token(outsider),
        "box_id": box_count.box_id, "count_id": box_count.id,
        "milestone_id": milestone.id, "origin_id": origin.id, "endpoint_id": hook.id,
        "campaign_id": first(Campaign).id, "round_id": (first(Round) or _none()).id,
        "activity_id": (first(Activity, Activity.is_public.is_(True)) or _none()).id,
    }
    db.session.commit()
    return world


def _none():
    raise AssertionError("the demo data should have made one")


def _arguments(rule, world: dict) -> dict:
    endpoint = rule.endpoint
    values = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = world["goal_slug"] if endpoint == "goals.show" else world["company_slug"]
        elif name == "ident":
            values[name] = world["team_slug"] if endpoint.startswith("teams.") else world["team_id"]
        elif name == "kind":
            values[name] = "clap" if endpoint == "activities.react" else "team"
        elif name == "key":
            values[name] = f"companies/{world['company_slug']}/teams"
        elif name == "code":
            values[name] = "en" if endpoint == "main.set_language" else world["join_code"]
        elif name == "rest":
            values[name] = "finns-inte"
        elif name == "partner_id" and endpoint == "staff.edit_partner":
            values[name] = world["partner_id"]
        else:
            values[name] = world[name]
    return values


def fill(rule, world: dict) -> str:
    """The rule's path with every argument taken from the world."""
    values = _arguments(rule, world)
    with current_app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def hostile_paths(rule, world: dict, values: list[str]) -> list[str]:
    """The rule's path once for each argument and value: that argument replaced by the
    value (already URL-encoded), the others filled from the world."""
    urls = []
    for name in rule.arguments:
        marker = f"ARG{name.upper()}MARKER"
        marked = _fill_with(rule, world, name, marker)
        urls += [marked.replace(marker, value) for value in values]
    return urls


def _fill_with(rule, world: dict, name: str, marker: str) -> str:
    values = _arguments(rule, world)
    values[name] = marker
    with current_app.test_request_context():
        from flask import url_for

        try:
            return url_for(rule.endpoint, **values)
        except ValueError:  # an int argument does not take the marker: build it by hand
            pass
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + arg + ">", str(value), path)
    return path


def rules(method: str):
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if method in rule.methods and rule.endpoint not in SKIP:
            yield rule


def get_urls(world: dict) -> list[str]:
    """Every GET route, filled (a rule with defaults, like /staff/partners/new, once)."""
    urls = []
    for rule in rules("GET"):
        url = fill(rule, world)
        if url not in urls:
            urls.append(url)
    return urls


def is_html(response) -> bool:
    return response.mimetype == "text/html"


INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "on*= event handler"),
]


def inline_code(html: str) -> list[str]:
    found = []
    for pattern, what in INLINE:
        for match in pattern.finditer(html):
            found.append(f"{what}: {match.group(0)[:120]}")
    return found
