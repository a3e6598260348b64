"""What staff write has an English version beside the Swedish: English visitors read it,
or the Swedish where none is written; what teams and workplaces write stays as written."""

from sqlalchemy import text

from lokalamal_app import demo, settings
from lokalamal_app.extensions import db
from lokalamal_app.models import ImpactLine
from tests import challenge_helpers, factories

ENGLISH = {"Cookie": "lang=en"}


def _get(client, url, headers=None) -> str:
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _english(client, url) -> str:
    client.set_cookie("lang", "en")
    return _get(client, url)


def test_english_visitors_read_the_goal_in_english_and_swedes_in_swedish(app, app_ctx):
    goal = factories.goal(3)
    goal.title_en, goal.summary_en, goal.body_en = ("No loneliness", "Nobody alone.",
                                                    "First paragraph.\n\nSecond paragraph.")
    db.session.add(ImpactLine(goal_id=goal.id, amount_ore=150_00, text="en fika",
                              text_en="a coffee", position=0))
    factories.commit()

    english = _english(app.test_client(), f"/goals/{goal.slug}")
    swedish = _get(app.test_client(), f"/goals/{goal.slug}")

    assert "<h1>No loneliness</h1>" in english and "Nobody alone." in english
    assert "<p>Second paragraph.</p>" in english and "a coffee" in english
    assert f"<h1>{goal.title}</h1>" in swedish and "en fika" in swedish
    assert "No loneliness" not in swedish
    assert "No loneliness" in _english(app.test_client(), "/")  # the home page's card


def test_a_goal_without_english_shows_the_swedish_to_english_visitors(app, app_ctx):
    goal = factories.goal(1)
    db.session.add(ImpactLine(goal_id=goal.id, amount_ore=200_00, text="en varm måltid",
                              position=0))
    factories.commit()

    english = _english(app.test_client(), f"/goals/{goal.slug}")

    assert f"<h1>{goal.title}</h1>" in english
    assert "en varm måltid" in english


def test_cash_instructions_in_english_and_the_team_pitch_as_written(app, app_ctx):
    settings.put("cash_instructions", "Lämna bössan i receptionen.")
    settings.put("cash_instructions_en", "Leave the box at the reception.")
    team = factories.make_team(factories.make_company(), pitch="Vi bakar på fredagar.")
    factories.commit()

    english = _english(app.test_client(), f"/teams/{team.slug}")
    swedish = _get(app.test_client(), f"/teams/{team.slug}")

    assert "Leave the box at the reception." in english
    assert "Lämna bössan i receptionen." not in english
    assert "Vi bakar på fredagar." in english  # the team's own words, untranslated
    assert "Lämna bössan i receptionen." in swedish


def test_a_challenge_greeting_stays_as_its_author_wrote_it(app, app_ctx):
    company, admin = challenge_helpers.workplace()
    rival, rival_admin = challenge_helpers.workplace()
    challenge = challenge_helpers.running(company, admin, [(rival, rival_admin)])
    factories.commit()

    assert "Hej grannar!" in _english(app.test_client(), f"/challenges/{challenge.id}")


def test_staff_write_the_english_beside_the_swedish(login, app_ctx):
    staff = factories.make_user(is_staff=True)
    goal = factories.goal(2)
    factories.commit()
    client = login(staff)

    form = _get(client, f"/staff/goals/{goal.id}")
    assert 'name="title_en"' in form and 'name="body_en"' in form and 'lang="en"' in form
    response = client.post(f"/staff/goals/{goal.id}", data={
        "title": goal.title, "summary": "Svensk sammanfattning", "body": "Svensk text",
        "title_en": "Everyone is safe", "summary_en": "English summary",
        "body_en": "English text", "un_goals": ["16"]})
    assert response.status_code == 302
    client.post(f"/staff/goals/{goal.id}/impact", data={
        "amount": "300", "text": "en trygg kväll", "text_en": "a safe evening", "position": "0"})
    client.post("/staff/settings", data={
        "swish_number": "", "bankgiro_number": "", "cash_instructions": "Kontant i kassan.",
        "cash_instructions_en": "Cash at the till."})

    db.session.expire_all()
    assert (goal.title_en, goal.summary_en, goal.body_en) == (
        "Everyone is safe", "English summary", "English text")
    line = db.session.execute(db.select(ImpactLine).where(ImpactLine.goal_id == goal.id)
                              ).scalar_one()
    assert line.text_en == "a safe evening"
    assert settings.get("cash_instructions_en") == "Cash at the till."


def test_an_english_text_that_is_too_long_is_refused_at_the_field(login, app_ctx):
    staff = factories.make_user(is_staff=True)
    goal = factories.goal(2)
    factories.commit()

    response = login(staff).post(f"/staff/goals/{goal.id}", data={
        "title": goal.title, "title_en": "x" * 121})

    assert response.status_code == 422
    assert "Rubriken får vara högst 120 tecken." in response.get_data(as_text=True)
    db.session.expire_all()
    assert goal.title_en == ""


def test_the_english_texts_migration_upgrades_and_downgrades_with_data(scratch_app):
    from flask_migrate import downgrade, upgrade

    with scratch_app.app_context():
        upgrade(revision="0018_reconciliation")
        with db.engine.begin() as conn:
            goal_id = conn.execute(text("SELECT id FROM goal WHERE number = 3")).scalar_one()
            conn.execute(text(
                "INSERT INTO impact_line (goal_id, amount_ore, text, position, created_at) "
                "VALUES (:goal, 15000, 'en fika', 0, CURRENT_TIMESTAMP)"), {"goal": goal_id})
        upgrade(revision="0022_english_texts")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT title_en, body_en FROM goal WHERE id = :g"),
                                {"g": goal_id}).one() == ("", "")
            assert conn.execute(text("SELECT text_en FROM impact_line")).scalar_one() == ""
            conn.execute(text("UPDATE goal SET title_en = 'No loneliness' WHERE id = :g"),
                         {"g": goal_id})
        downgrade(revision="0018_reconciliation")
        with db.engine.connect() as conn:
            columns = [row[1] for row in conn.execute(text("PRAGMA table_info(goal)"))] \
                if db.engine.dialect.name == "sqlite" else list(conn.execute(text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'goal' AND table_schema = current_schema()")).scalars())
            assert "title_en" not in columns
            assert conn.execute(text("SELECT text FROM impact_line")).scalar_one() == "en fika"
        upgrade()


def test_demo_data_fills_english_for_the_goals(app, app_ctx):
    with app.app_context():  # its own context: the demo's Swedish locale stays there
        demo.load()
        factories.commit()

    goal = factories.goal(3)
    assert goal.title_en and goal.summary_en and goal.body_en
    assert goal.title_en in _english(app.test_client(), "/")
    assert goal.body_en.split("\n\n")[0] in _english(app.test_client(), f"/goals/{goal.slug}")
