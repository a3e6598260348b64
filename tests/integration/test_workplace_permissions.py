"""Who gets what on every route of workplaces, teams and Mina sidor.

Six people: a visitor, a logged-in person of another workplace, a team member, the
team's captain, the workplace's admin and the mission's staff. "login" means the visitor
is sent to the login page; a 302 for the others means the action went through.
"""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import JoinRequest
from tests import factories

ROLES = ("visitor", "other", "member", "captain", "admin", "staff")


def _statuses(visitor, other, member, captain, admin, staff):
    return dict(zip(ROLES, (visitor, other, member, captain, admin, staff), strict=True))


ADMIN_ONLY_GET = _statuses("login", 403, 403, 403, 200, 200)
ADMIN_ONLY_POST = _statuses("login", 403, 403, 403, 302, 302)
MANAGER_POST = _statuses("login", 403, 403, 302, 302, 302)

# (method, url template, form data, expected per role)
MATRIX = [
    ("GET", "/companies?q=matris", None, _statuses(200, 200, 200, 200, 200, 200)),
    ("GET", "/companies/new", None, _statuses("login", 200, 200, 200, 200, 200)),
    ("GET", "/companies/{c}", None, _statuses(200, 200, 200, 200, 200, 200)),
    ("GET", "/companies/{c}/edit", None, ADMIN_ONLY_GET),
    ("GET", "/companies/{c}/members", None, ADMIN_ONLY_GET),
    ("GET", "/companies/{c}/invite.png", None, _statuses("login", 403, 200, 200, 200, 200)),
    ("GET", "/companies/{c}/teams/new", None, _statuses("login", 403, 200, 200, 200, 200)),
    ("GET", "/teams/{t}", None, _statuses(200, 200, 200, 200, 200, 200)),
    ("GET", "/teams/{t}/edit", None, _statuses("login", 403, 403, 200, 200, 200)),
    ("GET", "/teams/{t}/invite.png", None, _statuses("login", 403, 200, 200, 200, 200)),
    ("GET", "/join/{company_code}", None, _statuses(200, 200, 200, 200, 200, 200)),
    ("GET", "/join/{team_code}", None, _statuses(200, 200, 200, 200, 200, 200)),
    ("GET", "/account", None, _statuses("login", 200, 200, 200, 200, 200)),
    ("POST", "/companies/new", "company", _statuses("login", 302, 302, 302, 302, 302)),
    ("POST", "/companies/{c}/edit", "company", ADMIN_ONLY_POST),
    ("POST", "/companies/{c}/members/{member}/role", {"role": "admin"}, ADMIN_ONLY_POST),
    ("POST", "/companies/{c}/members/{member}/remove", {}, ADMIN_ONLY_POST),
    # the last admin cannot leave; staff and the other person are not in it
    ("POST", "/companies/{c}/leave", {}, _statuses("login", 409, 302, 302, 409, 409)),
    # the other person has asked already (the fixture's request); members need not ask
    ("POST", "/companies/{c}/ask", {}, _statuses("login", 409, 409, 409, 409, 302)),
    ("POST", "/companies/{c}/requests/{request}", {"decision": "approve"}, ADMIN_ONLY_POST),
    ("POST", "/companies/{c}/invite/renew", {}, ADMIN_ONLY_POST),
    ("POST", "/join/{company_code}", {}, _statuses("login", 302, 409, 409, 409, 302)),
    ("POST", "/join/{team_code}", {}, _statuses("login", 302, 409, 409, 302, 302)),
    # a captain with teammates hands over first; staff is in no workplace to start a team in
    ("POST", "/companies/{c}/teams/new", "team", _statuses("login", 403, 302, 422, 302, 422)),
    ("POST", "/teams/{t}/edit", "team", MANAGER_POST),
    ("POST", "/teams/{t}/join", {}, _statuses("login", 403, 409, 409, 302, 302)),
    ("POST", "/teams/{t}/leave", {}, _statuses("login", 409, 302, 409, 409, 409)),
    ("POST", "/teams/{t}/captain", {"user_id": "{member}"}, MANAGER_POST),
    ("POST", "/teams/{t}/members/{member}/remove", {}, MANAGER_POST),
    ("POST", "/teams/{t}/invite/renew", {}, MANAGER_POST),
    ("POST", "/account/privacy", {"show_name": "y"}, _statuses("login", 302, 302, 302, 302, 302)),
    ("POST", "/account/notifications/read", {}, _statuses("login", 302, 302, 302, 302, 302)),
]


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Matris AB")
    captain = factories.make_user()
    member = factories.make_user()
    team = factories.make_team(company, captain=captain, name="Matrislaget")
    factories.join_team(team, member)
    other = factories.make_user()
    elsewhere = factories.make_company(admin=other, name="Grannen AB")
    factories.make_team(elsewhere, captain=other)
    staff = factories.make_user(is_staff=True)
    join_request = JoinRequest(company_id=company.id, user_id=other.id)
    db.session.add(join_request)
    factories.commit()
    return {
        "people": {"other": other, "member": member, "captain": captain, "admin": admin,
                   "staff": staff},
        "ids": {"c": company.slug, "t": team.id, "member": member.id,
                "request": join_request.id, "company_code": company.join_code,
                "team_code": team.join_code},
        "goal": factories.goal(2).id,
    }


def _data(spec, world):
    if spec == "company":
        return {"name": "Matris AB", "street": "", "postcode": "72213", "city": "Västerås",
                "headcount": "20"}
    if spec == "team":
        return {"name": "Matrislaget", "goal": str(world["goal"]), "target": "", "pitch": ""}
    return {k: v.format(**world["ids"]) for k, v in spec.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), MATRIX,
                         ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
def test_permission_matrix(app, login, world, role, method, url, data, expected):
    client = app.test_client() if role == "visitor" else login(world["people"][role])
    path = url.format(**world["ids"])
    if method == "GET":
        response = client.get(path)
    else:
        form = _data(data, world)
        if path == "/companies/new":  # a name nobody has yet
            form = {**form, "name": f"Nytt {role} AB"}
        if path.endswith("/teams/new"):
            form = {**form, "name": f"Nytt lag {role}"}
        response = client.post(path, data=form)
    want = expected[role]
    if want == "login":
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:500]
        if want == 302:
            assert not response.headers["Location"].startswith("/login")
