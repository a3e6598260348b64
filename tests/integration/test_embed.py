"""The intranet widget and the SVG badges: public, cached, framable only by the
workplace's listed https origins; every other page keeps its framing protection."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import EmbedOrigin
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain, name="<script>alert(1)</script>",
                               target_ore=5_000_00)
    factories.make_collection(team, amount_ore=1_234_00, logged_by=captain)
    factories.commit()
    return type("World", (), dict(**locals()))


def _frame_ancestors(response) -> str:
    csp = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in csp.split(";") if "frame-ancestors" in part)


def test_the_widget_shows_the_total_and_teams_without_login_and_is_framed_by_nobody(world,
                                                                                  client):
    response = client.get(f"/embed/workplaces/{world.company.slug}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "1\u00a0234\u00a0kr" in text and "&lt;script&gt;" in text and "<script>" not in text
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    etag = response.headers["ETag"]
    again = client.get(f"/embed/workplaces/{world.company.slug}",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/embed/workplaces/finns-inte").status_code == 404


def test_listed_origins_may_frame_the_widget_and_other_pages_stay_protected(world, login,
                                                                           client):
    admin = login(world.admin)
    url = f"/companies/{world.company.slug}/embed"
    for origin in ("https://intranat.kopparlunden.se", "https://wiki.kopparlunden.se:8443/"):
        assert admin.post(url, data={"origin": origin}).status_code == 302
    response = client.get(f"/embed/workplaces/{world.company.slug}")
    assert _frame_ancestors(response) == (
        "frame-ancestors https://intranat.kopparlunden.se https://wiki.kopparlunden.se:8443")
    for page in (f"/companies/{world.company.slug}", "/", f"/teams/{world.team.slug}"):
        assert _frame_ancestors(client.get(page)) == "frame-ancestors 'self'"


@pytest.mark.parametrize("origin, message", [
    ("http://intranat.kopparlunden.se", "Adressen måste börja med https://."),
    ("https://intranat.kopparlunden.se/start", "utan sökväg"),
    ("https://*.kopparlunden.se", "Skriv ett värdnamn"),
    ("", "Skriv intranätets adress."),
])
def test_a_bad_origin_is_refused_at_the_field(world, login, origin, message):
    response = login(world.admin).post(f"/companies/{world.company.slug}/embed",
                                       data={"origin": origin})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(EmbedOrigin.id))).scalar_one() == 0


def test_at_most_ten_origins_and_only_admins_list_them(world, login):
    url = f"/companies/{world.company.slug}/embed"
    assert login(world.captain).post(url, data={"origin": "https://a.example.se"}) \
        .status_code == 403
    admin = login(world.admin)
    for n in range(10):
        assert admin.post(url, data={"origin": f"https://i{n}.example.se"}).status_code == 302
    response = admin.post(url, data={"origin": "https://elva.example.se"})
    assert response.status_code == 422 and "Högst 10" in response.get_data(as_text=True)
    row = db.session.execute(db.select(EmbedOrigin).limit(1)).scalar_one()
    assert login(world.captain).post(f"{url}/{row.id}/remove").status_code == 403
    assert admin.post(f"{url}/{row.id}/remove").status_code == 302


def test_the_badges_are_svg_with_the_swedish_total_escaped_and_cached(world, client,
                                                                      count_queries):
    for url in (f"/badge/teams/{world.team.id}.svg", f"/badge/teams/{world.team.slug}.svg",
                f"/badge/workplaces/{world.company.slug}.svg"):
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert counter.count <= 2, counter.statements  # the team or workplace, its total
        assert response.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert response.headers["Cache-Control"] == "public, max-age=300"
        svg = response.get_data(as_text=True)
        assert "1\u00a0234\u00a0kr" in svg
        assert "<script>" not in svg
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}) \
            .status_code == 304
    assert "&lt;script&gt;" in client.get(f"/badge/teams/{world.team.id}.svg") \
        .get_data(as_text=True)
    assert client.get("/badge/teams/999999.svg").status_code == 404
    assert client.get("/badge/workplaces/finns-inte.svg").status_code == 404
