"""Public pages: the home page, goal pages, error pages."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import AuditEvent
from tests import factories

SLUGS = {
    1: ("ingen-hemloshet", "Ingen hemlöshet"),
    2: ("alla-ar-trygga", "Alla är trygga"),
    3: ("ingen-ensamhet", "Ingen ensamhet"),
    4: ("ingen-psykisk-ohalsa", "Ingen psykisk ohälsa"),
    5: ("alla-kan-arbeta", "Alla kan arbeta"),
}


def test_home_presents_the_five_goals_with_what_each_has_raised(client, app_ctx):
    company = factories.make_company()
    team = factories.make_team(company, goal_number=3)
    factories.make_collection(team, amount_ore=1_234_500)
    factories.commit()
    html = client.get("/").get_data(as_text=True)
    for number, (slug, title) in SLUGS.items():
        assert f"Lokalt mål #{number}" in html
        assert title in html
        assert f'href="/goals/{slug}"' in html
    assert "12\u00a0345\u00a0kr" in html
    assert "Skapa konto" in html


@pytest.mark.parametrize("number", SLUGS)
def test_each_goal_has_its_page(client, number):
    slug, title = SLUGS[number]
    response = client.get(f"/goals/{slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in html
    assert "Koppling till de globala målen" in html


def test_goal_page_lists_its_top_teams_and_workplaces(client, app_ctx):
    big = factories.make_company(name="Stora Bolaget AB")
    small = factories.make_company(name="Lilla Firman AB")
    factories.make_collection(factories.make_team(big, name="Fikagänget"), amount_ore=90_000)
    factories.make_collection(factories.make_team(small, name="Kodklubben"), amount_ore=30_000)
    other_goal = factories.make_team(small, name="Annat mål", goal_number=1)
    factories.make_collection(other_goal, amount_ore=999_900)
    factories.commit()
    html = client.get("/goals/ingen-ensamhet").get_data(as_text=True)
    assert html.index("Fikagänget") < html.index("Kodklubben")
    assert html.index("Stora Bolaget AB") < html.index("Lilla Firman AB")
    assert "Annat mål" not in html
    assert "1\u00a0200\u00a0kr" in html  # the goal's total: 900 + 300 kr


def test_goal_page_with_nothing_raised_says_so(client):
    html = client.get("/goals/alla-kan-arbeta").get_data(as_text=True)
    assert "Inga lag har samlat till det här målet än" in html


def test_goal_3_links_the_un_goals_on_peace_and_well_being(client):
    html = client.get("/goals/ingen-ensamhet").get_data(as_text=True)
    assert "Hälsa och välbefinnande" in html
    assert "Fredliga och inkluderande samhällen" in html


def test_money_and_dates_are_swedish(app):
    from datetime import date

    from lokalamal_app.formatting import kronor, swedish_date

    with app.test_request_context():
        assert kronor(1_234_500) == "12\u00a0345\u00a0kr"
        assert swedish_date(date(2026, 11, 26)) == "26 nov. 2026"


@pytest.mark.parametrize("url", ["/goals/finns-inte", "/nagot/annat", "/goals/"])
def test_unknown_urls_get_a_friendly_swedish_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_a_conflict_gets_the_plain_swedish_page_not_the_frameworks(make_app):
    from flask import abort

    other = make_app()
    other.add_url_rule("/konflikt", "konflikt", lambda: abort(409))
    response = other.test_client().get("/konflikt")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "hann någon annan" in html and "Conflict" not in html


def test_an_unexpected_error_gets_a_friendly_500_and_rolls_back(caplog, make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        from lokalamal_app import audit

        audit.record("test.boom", "test", 1)
        db.session.flush()
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(AuditEvent)).first() is None
    assert "kaboom" in caplog.text


def test_health_checks(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_for_logged_in_people_are_not_cached(app_ctx, login):
    user = factories.make_user()
    factories.commit()
    assert login(user).get("/").headers["Cache-Control"] == "no-store"


def test_language_switch_is_remembered(client):
    response = client.get("/lang/en?next=/goals/ingen-ensamhet")
    assert response.status_code == 302
    assert response.headers["Location"] == "/goals/ingen-ensamhet"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert client.get("/lang/en?next=https://evil.example").headers["Location"] == "/"


def test_english_follows_the_browser_and_the_switch_wins(client):
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "<h1>Log in</h1>" in english.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    swedish = client.get("/login", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert "<h1>Logga in</h1>" in swedish.get_data(as_text=True)
    client.set_cookie("lang", "sv")
    chosen = client.get("/login", headers={"Accept-Language": "en"})
    assert "<h1>Logga in</h1>" in chosen.get_data(as_text=True)


# Pages whose interface must read in English; goal texts are the mission's own Swedish data,
# so the goal page and the home page's goal cards are checked for interface words only.
ENGLISH_PAGES = ["/", "/leaderboards", "/register", "/login", "/privacy", "/bli-partner",
                 "/challenges", "/goals/alla-kan-arbeta"]
SWEDISH_INTERFACE = ["Logga in", "Skapa konto", "Topplistor", "Insamlat", "rapporterat",
                     "Så här", "Lösenord", "Målen", "Läs mer"]


@pytest.mark.parametrize("path", ENGLISH_PAGES)
def test_main_pages_in_english_show_no_swedish_interface_text(client, path):
    client.set_cookie("lang", "en")
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for words in SWEDISH_INTERFACE:
        assert words not in html, f"{words!r} is still Swedish on {path}"
