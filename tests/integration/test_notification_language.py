"""Notifications and e-mail speak the recipient's language, not the language of whoever
caused them; how a person's language is chosen and stored; the migration that stores it."""

import json
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.formatting import day_text
from lokalamal_app.models import JoinRequest, Notification, OutboxMessage, User
from lokalamal_app.notifications import notify
from tests import factories
from tests.challenge_helpers import workplace

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def in_english(client):
    """The client has chosen English with the language switch."""
    client.set_cookie("lang", "en")
    return client


def notes_of(user) -> list[str]:
    return db.session.execute(
        db.select(Notification.text).where(Notification.user_id == user.id)
        .order_by(Notification.id)
    ).scalars().all()


def mail_to(user) -> OutboxMessage:
    return db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.to == user.email)
        .order_by(OutboxMessage.id.desc())
    ).scalars().first()


def _asking(asker_locale: str):
    admin = factories.make_user()
    factories.make_company(admin=admin, name="Aros Bygg AB")
    asker = factories.make_user(display_name="Leila K.", locale=asker_locale)
    factories.commit()
    return admin, asker


# --- The recipient's language --------------------------------------------------------


def test_a_swedish_admin_letting_someone_in_tells_an_english_asker_in_english(login, app_ctx):
    admin, asker = _asking("en")
    login(asker).post("/companies/aros-bygg-ab/ask")
    join_request = db.session.execute(db.select(JoinRequest)).scalar_one()
    assert notes_of(admin) == ["Leila K. vill gå med i Aros Bygg AB."]

    response = login(admin).post(f"/companies/aros-bygg-ab/requests/{join_request.id}",
                                 data={"decision": "approve"})
    assert response.status_code == 302
    assert notes_of(asker) == [
        "Welcome! You are now part of Aros Bygg AB. Start a team or join one."]
    mail = mail_to(asker)
    assert mail.subject == "You are part of Aros Bygg AB"
    assert mail.body.startswith("Welcome! You are now part of Aros Bygg AB.")
    assert "Best wishes,\nLokala mål" in mail.body


def test_an_english_admin_turning_someone_down_tells_a_swedish_asker_in_swedish(login, app_ctx):
    admin, asker = _asking("sv")
    login(asker).post("/companies/aros-bygg-ab/ask")
    join_request = db.session.execute(db.select(JoinRequest)).scalar_one()

    admin_client = in_english(login(admin))
    admin_client.post(f"/companies/aros-bygg-ab/requests/{join_request.id}",
                      data={"decision": "decline"})
    assert notes_of(asker) == ["Din förfrågan om att gå med i Aros Bygg AB blev inte godkänd."]
    mail = mail_to(asker)
    assert mail.subject == "Svar från Aros Bygg AB"
    assert "Hälsningar,\nLokala mål" in mail.body
    # The admin's own page stays in English: the recipient's language was only borrowed.
    page = admin_client.get("/companies/aros-bygg-ab/members").get_data(as_text=True)
    assert "Leila K. was declined." in page


@pytest.fixture
def logged(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    swede = factories.make_user(locale="sv")
    briton = factories.make_user(locale="en")
    team = factories.make_team(company, captain=swede, name="Fikagänget")
    factories.join_team(team, briton)
    swedish_entry = factories.make_collection(team, amount_ore=300_00, logged_by=swede)
    english_entry = factories.make_collection(team, amount_ore=450_00, logged_by=briton)
    factories.commit()
    return type("Logged", (), dict(**locals()))


def test_attesting_in_english_tells_a_swedish_logger_in_swedish(logged, login):
    client = in_english(login(logged.admin))
    assert client.post(f"/ledger/entries/{logged.swedish_entry.id}/attest").status_code == 303
    [note] = notes_of(logged.swede)
    assert note.startswith("Er insamling på 300\u00a0kr")
    assert "är attesterad av arbetsplatsen" in note


def test_receiving_in_english_tells_a_swedish_logger_in_swedish(logged, login):
    client = in_english(login(factories.make_user(is_staff=True)))
    response = client.post(f"/ledger/entries/{logged.swedish_entry.id}/receive",
                           data={"reference": "Kvitto 1",
                                 "received_on": clock.today().isoformat()})
    assert response.status_code == 303
    [note] = notes_of(logged.swede)
    assert note.startswith("Er insamling på 300\u00a0kr")
    assert note.endswith("har kommit in till stadsmissionen. Tack!")


def test_rejecting_in_swedish_tells_an_english_logger_in_english(logged, login):
    response = login(logged.admin).post(f"/ledger/entries/{logged.english_entry.id}/reject",
                                        data={"reason": "Beloppet stämmer inte med kvittot."})
    assert response.status_code == 303
    [note] = notes_of(logged.briton)
    assert note.startswith("Your collection of 450\u00a0kr")
    assert "Beloppet stämmer inte med kvittot." in note  # the reason is the admin's own words
    assert "avvisades" not in note
    mail = mail_to(logged.briton)
    assert mail.subject != "En insamling avvisades" and "Best wishes" in mail.body


def test_a_swedish_admins_challenge_reaches_an_english_admin_in_english(login, app_ctx):
    challenger, admin = workplace(name="Kopparlunden Teknik AB")
    _, english_admin = workplace(name="Lundby Design AB")
    english_admin.locale = "en"
    factories.commit()
    response = login(admin).post("/challenges/new", data={
        "challenger": str(challenger.id), "opponent": "Lundby Design AB",
        "starts_on": clock.today().isoformat(),
        "ends_on": (clock.today() + timedelta(days=14)).isoformat(),
        "measure": "total", "goal": "0", "greeting": "Hej grannar!",
    })
    assert response.status_code == 302
    [note] = notes_of(english_admin)
    assert note.startswith("Kopparlunden Teknik AB challenges you in Next door")
    assert mail_to(english_admin).subject.startswith("Kopparlunden Teknik AB")
    assert "utmanar" not in mail_to(english_admin).subject


def test_a_partner_inquiry_reaches_each_staff_member_in_their_own_language(app_ctx, client):
    goal = factories.goal(4)
    swede = factories.make_user(is_staff=True, locale="sv")
    briton = factories.make_user(is_staff=True, locale="en")
    factories.commit()
    response = in_english(client).post("/bli-partner", data={
        "company_name": "Mälarbolaget AB", "contact_name": "Eva Ek", "email": "eva@malar.example",
        "phone": "", "goal": str(goal.id), "level": "main", "message": "Vi vill vara med!",
        "website": "",
    })
    assert response.status_code == 302
    [swedish] = notes_of(swede)
    assert swedish.startswith("Mälarbolaget AB vill bli huvudpartner för")
    assert "Kontaktperson: Eva Ek, eva@malar.example." in swedish
    assert swedish.endswith("Vi vill vara med!")
    [english] = notes_of(briton)
    assert english.startswith("Mälarbolaget AB wants to become main partner for")
    assert "Contact person: Eva Ek, eva@malar.example." in english
    assert mail_to(swede).subject == "Ny partnerförfrågan: Mälarbolaget AB"
    assert mail_to(briton).subject == "New partner enquiry: Mälarbolaget AB"


@pytest.mark.parametrize(("locale", "headers", "subject"), [
    ("sv", ENGLISH, "Återställ ditt lösenord till Lokala mål"),
    ("en", {}, "Reset your Lokala mål password"),
])
def test_the_password_reset_mail_is_in_the_accounts_language(app_ctx, client, locale, headers,
                                                              subject):
    user = factories.make_user(email="erik@example.se", locale=locale)
    factories.commit()
    client.post("/password/forgot", data={"email": "erik@example.se"}, headers=headers)
    assert mail_to(user).subject == subject


def test_notify_outside_a_request_uses_the_recipients_language(app_ctx):
    """Commands and demo data have no visitor; the recipient still decides."""
    briton = factories.make_user(locale="en")
    swede = factories.make_user()
    note = notify(briton, _l("Svar från %(name)s", name="Aros AB"), "/account",
                  email_subject=_l("En insamling avvisades"))
    assert note.text == "Reply from Aros AB"
    assert mail_to(briton).body.endswith("Best wishes,\nLokala mål\n")
    assert notify(swede, LazyString(lambda: "Hej"), "/").text == "Hej"
    assert notify(swede, "Redan skriven text.", "/").text == "Redan skriven text."


# --- Choosing and storing a language -------------------------------------------------


def _locale_of(user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).locale


def test_a_new_account_is_swedish(app_ctx):
    assert factories.make_user().locale == "sv"


def test_choosing_a_language_while_logged_in_stores_it(app_ctx, login):
    user = factories.make_user()
    factories.commit()
    client = login(user)
    response = client.post("/lang/en", data={"next": "/account"})
    assert (response.status_code, response.headers["Location"]) == (303, "/account")
    assert _locale_of(user) == "en"
    client.post("/lang/xx")
    assert _locale_of(user) == "en"
    client.post("/lang/sv")
    assert _locale_of(user) == "sv"


def test_a_plain_link_changes_the_cookie_but_not_the_account(app_ctx, login):
    user = factories.make_user()
    factories.commit()
    response = login(user).get("/lang/en")
    assert response.status_code == 302 and "lang=en" in response.headers["Set-Cookie"]
    assert _locale_of(user) == "sv"


def test_the_footer_switch_is_a_form_with_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert 'action="/lang/en"' in html and 'name="csrf_token"' in html
    assert client.post("/lang/en").status_code == 400  # no token


def test_choosing_a_language_logged_out_only_sets_the_cookie(app_ctx, client):
    user = factories.make_user()
    factories.commit()
    response = client.get("/lang/en")
    assert response.status_code == 302 and "lang=en" in response.headers["Set-Cookie"]
    assert _locale_of(user) == "sv"


def test_logging_in_with_the_switchs_cookie_stores_its_language(app_ctx, client, auth):
    user = factories.make_user(email="kim@example.se")
    factories.commit()
    client.set_cookie("lang", "en")
    assert auth.login("kim@example.se").status_code == 302
    assert _locale_of(user) == "en"


def test_logging_in_without_the_cookie_keeps_the_stored_language(app_ctx, client, auth):
    user = factories.make_user(email="kim@example.se", locale="en")
    factories.commit()
    # The browser's preference alone is a guess: it does not overwrite a choice.
    assert client.post("/login", data={"email": "kim@example.se",
                                       "password": factories.PASSWORD},
                       headers={"Accept-Language": "sv-SE"}).status_code == 302
    assert _locale_of(user) == "en"


@pytest.mark.parametrize(("headers", "cookie", "expected"), [
    ({}, None, "sv"),
    (ENGLISH, None, "en"),
    ({}, "en", "en"),
    (ENGLISH, "sv", "sv"),
])
def test_an_account_starts_in_the_language_it_was_registered_in(app_ctx, client, headers,
                                                                 cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.post("/register", data={
        "display_name": "Amina Hassan", "email": "amina@example.se",
        "password": "kaffe på fredag"}, headers=headers)
    assert response.status_code == 302
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.locale == expected


def test_the_data_download_includes_the_language(app_ctx, login):
    user = factories.make_user(locale="en")
    factories.commit()
    data = json.loads(login(user).get("/account/data.json").get_data(as_text=True))
    assert data["konto"]["språk"] == "en"


# --- The migration -------------------------------------------------------------------


def _user_columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("user")}


def test_the_locale_migration_upgrades_existing_accounts_to_swedish_and_downgrades(
        scratch_app):
    with scratch_app.app_context():
        upgrade(revision="0004_ledger")
        assert "locale" not in _user_columns()
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO \"user\" (email, display_name, password_hash, session_token, "
                "is_staff, disabled, is_demo, hide_name, created_at) VALUES "
                "('gammal@example.se', 'Gammal', 'x', 't', false, false, false, false, "
                "CURRENT_TIMESTAMP)"))
        upgrade()
        assert "locale" in _user_columns()
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT locale FROM "user"')).scalar_one() == "sv"
        downgrade(revision="0004_ledger")
        assert "locale" not in _user_columns()
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT email FROM "user"')).scalar_one() == \
                "gammal@example.se"
        upgrade()
        db.session.remove()


def test_amounts_in_a_notification_are_written_the_recipients_way(logged, login):
    english = factories.make_collection(logged.team, amount_ore=1_250_50, logged_by=logged.briton)
    swedish = factories.make_collection(logged.team, amount_ore=1_250_50, logged_by=logged.swede)
    factories.commit()
    client = login(logged.admin)
    for entry in (english, swedish):
        assert client.post(f"/ledger/entries/{entry.id}/attest").status_code == 303
    assert notes_of(logged.briton)[-1].startswith("Your collection of 1,250.50\u00a0kr")
    assert notes_of(logged.swede)[-1].startswith("Er insamling på 1\u00a0250,50\u00a0kr")


def test_pages_follow_the_stored_language_when_no_switch_cookie_says_otherwise(app_ctx,
                                                                                login):
    user = factories.make_user(locale="en")
    factories.commit()
    client = login(user)
    client.delete_cookie("lang")
    swedish_browser = {"Accept-Language": "sv-SE,sv;q=0.9"}
    html = client.get("/", headers=swedish_browser).get_data(as_text=True)
    assert '<html lang="en"' in html
    client.set_cookie("lang", "sv")
    html = client.get("/", headers=swedish_browser).get_data(as_text=True)
    assert '<html lang="sv"' in html


# --- Dates in notifications ----------------------------------------------------------

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_a_date_in_a_sentence_is_written_the_swedish_way_and_never_iso(app_ctx):
    year = clock.today().year
    with force_locale("sv"):
        assert str(day_text(date(year, 11, 30))) == "30 november"
        assert str(day_text(date(year - 1, 3, 1))) == f"1 mars {year - 1}"
    with force_locale("en"):
        assert str(day_text(date(year, 11, 30))) == "30 November"


def test_the_attested_note_says_the_day_in_swedish_words(logged, login):
    client = in_english(login(logged.admin))
    client.post(f"/ledger/entries/{logged.swedish_entry.id}/attest")
    [note] = notes_of(logged.swede)
    day = format_date(logged.swedish_entry.collected_on, "d MMMM", locale="sv_SE")
    assert f"({day})" in note and not ISO_DATE.search(note)


def test_the_rejected_note_says_the_day_in_the_recipients_words(logged, login):
    login(logged.admin).post(f"/ledger/entries/{logged.english_entry.id}/reject",
                             data={"reason": "Fel belopp."})
    [note] = notes_of(logged.briton)
    day = format_date(logged.english_entry.collected_on, "d MMMM", locale="en_GB")
    assert f"({day}, Fikagänget)" in note and not ISO_DATE.search(note)


def test_a_challenge_note_gives_its_period_in_words(login, app_ctx):
    challenger, admin = workplace(name="Kopparlunden Teknik AB")
    _, other_admin = workplace(name="Lundby Design AB")
    factories.commit()
    start, end = clock.today(), clock.today() + timedelta(days=14)
    login(admin).post("/challenges/new", data={
        "challenger": str(challenger.id), "opponent": "Lundby Design AB",
        "starts_on": start.isoformat(), "ends_on": end.isoformat(),
        "measure": "total", "goal": "0", "greeting": "Hej!",
    })
    [note] = notes_of(other_admin)
    first = format_date(start, "d MMMM" if start.year == clock.today().year else "d MMMM y",
                        locale="sv_SE")
    last = format_date(end, "d MMMM" if end.year == clock.today().year else "d MMMM y",
                       locale="sv_SE")
    assert f"({first} – {last})" in note and not ISO_DATE.search(note)
    assert not ISO_DATE.search(mail_to(other_admin).body)
