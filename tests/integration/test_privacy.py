"""Privacy: the privacy page, downloading one's data, deleting and anonymising accounts."""

import json
from datetime import UTC, datetime, timedelta

from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.ledger.check import differences as mismatches
from lokalamal_app.models import LedgerEntry, Membership, Notification, Team, TeamMember, User
from lokalamal_app.notifications import notify
from lokalamal_app.privacy import services
from tests import factories as f
from tests.races import statuses_at_once


def _team_with_money(captain=None):
    admin = f.make_user()
    company = f.make_company(admin=admin)
    captain = captain or f.make_user(display_name="Kajsa Kapten", email="kajsa@example.se")
    team = f.make_team(company, captain=captain)
    entry = f.make_collection(team, amount_ore=1234_00, logged_by=captain, note="Fika")
    f.make_collection(team, amount_ore=100_00, logged_by=admin)
    return captain, team, entry


def test_privacy_page_is_public_and_in_swedish(client):
    response = client.get("/privacy")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in ("Det här sparar vi", "Varför", "Vem ser vad", "Hur länge"):
        assert heading in html
    assert "inte loggat in på 24 månader" in html
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)


def test_data_download_needs_login(client):
    response = client.get("/account/data.json")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_person_downloads_all_their_data(app_ctx, login):
    captain, team, entry = _team_with_money()
    notify(captain, "Välkommen till laget!", "/")
    f.commit()

    response = login(captain).get("/account/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["konto"]["e-post"] == "kajsa@example.se"
    assert data["konto"]["namn"] == "Kajsa Kapten"
    assert [t["lag"] for t in data["lag"]] == [team.name]
    assert [e["belopp_ore"] for e in data["insamlingar_du_rapporterat"]] == [1234_00]
    assert data["insamlingar_du_rapporterat"][0]["anteckning"] == "Fika"
    assert data["meddelanden"][0]["text"] == "Välkommen till laget!"
    assert "password_hash" not in response.get_data(as_text=True)


def test_deleting_account_needs_the_right_password(app_ctx, login):
    captain, _team, _entry = _team_with_money()
    f.commit()
    c = login(captain)

    response = c.post("/account/delete", data={"password": "fel lösenord", "confirm": "y"})

    assert response.status_code == 422
    assert "Lösenordet stämmer inte." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, captain.id).email == "kajsa@example.se"


def test_deleting_account_needs_the_box_ticked(app_ctx, login):
    captain, _team, _entry = _team_with_money()
    f.commit()

    response = login(captain).post("/account/delete", data={"password": f.PASSWORD})

    assert response.status_code == 422
    assert "Kryssa i rutan" in response.get_data(as_text=True)


def test_deleted_account_loses_personal_data_but_totals_stand(app_ctx, login, client):
    captain, team, entry = _team_with_money()
    notify(captain, "Hej", "/")
    f.commit()
    before = totals.figures("team", team.id).reported_ore
    c = login(captain)

    response = c.post("/account/delete", data={"password": f.PASSWORD, "confirm": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, captain.id)
    assert user.display_name == "Borttagen person"
    assert "kajsa" not in user.email
    assert user.disabled
    assert db.session.get(Team, team.id).captain_id is None
    for model in (Membership, TeamMember, Notification):
        assert not db.session.execute(
            db.select(model).where(model.user_id == captain.id)
        ).first()
    # The money stays: the entry is still there, now pointing at the anonymised row.
    assert db.session.get(LedgerEntry, entry.id).amount_ore == 1234_00
    assert totals.figures("team", team.id).reported_ore == before == 1334_00
    assert mismatches() == []
    # The old session is over and the old password opens nothing.
    assert c.get("/account/data.json").status_code == 302
    answer = client.post("/login", data={"email": "kajsa@example.se", "password": f.PASSWORD})
    assert answer.status_code == 401


def test_staff_page_refuses_everyone_else(app_ctx, login, client):
    person = f.make_user()
    f.commit()
    assert login(person).get("/privacy/staff/anonymise").status_code == 403
    assert login(person).post(
        "/privacy/staff/anonymise",
        data={"email": person.email, "reason": "x", "confirm": "y"},
    ).status_code == 403
    assert client.get("/privacy/staff/anonymise").status_code == 302
    db.session.expire_all()
    assert not services.is_anonymised(db.session.get(User, person.id))


def test_staff_anonymise_a_person_on_request(app_ctx, login):
    staff = f.make_user(is_staff=True)
    captain, team, _entry = _team_with_money()
    f.commit()
    c = login(staff)

    unknown = c.post("/privacy/staff/anonymise",
                     data={"email": "ingen@example.se", "reason": "mejl", "confirm": "y"})
    assert unknown.status_code == 422
    assert "Det finns inget konto med den adressen." in unknown.get_data(as_text=True)
    assert "ingen@example.se" in unknown.get_data(as_text=True)

    done = c.post("/privacy/staff/anonymise",
                  data={"email": "KAJSA@example.se", "reason": "mejl 3 mars", "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert services.is_anonymised(db.session.get(User, captain.id))
    assert totals.figures("team", team.id).reported_ore == 1334_00
    assert mismatches() == []

    again = c.post("/privacy/staff/anonymise",
                   data={"email": db.session.get(User, captain.id).email, "reason": "x",
                         "confirm": "y"})
    assert again.status_code == 422
    # The left-behind address is not a real one, so the form does not take it.
    assert "giltig e-postadress" in again.get_data(as_text=True)


def test_anonymise_command(app_ctx, runner):
    captain, team, _entry = _team_with_money()
    f.commit()

    result = runner.invoke(args=["anonymise", "kajsa@example.se"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert services.is_anonymised(db.session.get(User, captain.id))
    again = runner.invoke(args=["anonymise", "kajsa@example.se"])
    assert again.exit_code != 0
    assert "inget konto" in again.output


def test_retention_command_anonymises_only_inactive_accounts(app_ctx, runner):
    now = datetime.now(UTC)
    old = f.make_user(email="gammal@example.se", last_login_at=now - timedelta(days=400))
    never = f.make_user(email="aldrig@example.se")
    never.created_at = now - timedelta(days=800)
    recent = f.make_user(email="ny@example.se", last_login_at=now - timedelta(days=30))
    staff = f.make_user(email="personal@example.se", is_staff=True,
                        last_login_at=now - timedelta(days=900))
    company = f.make_company(admin=recent)
    team = f.make_team(company, captain=old)
    f.make_collection(team, amount_ore=500_00, logged_by=old)
    f.commit()

    dry = runner.invoke(args=["anonymise-inactive", "--months", "12", "--dry-run"])
    assert "2 konton" in dry.output
    result = runner.invoke(args=["anonymise-inactive", "--months", "12"])

    assert result.exit_code == 0, result.output
    assert "2 konton anonymiserade" in result.output
    db.session.expire_all()
    gone = {u.id for u in db.session.execute(db.select(User)).scalars()
            if services.is_anonymised(u)}
    assert gone == {old.id, never.id}
    assert recent.id not in gone and staff.id not in gone
    assert totals.figures("team", team.id).reported_ore == 500_00
    assert mismatches() == []
    assert runner.invoke(args=["anonymise-inactive", "--months", "0"]).exit_code != 0


def test_someone_who_logs_in_while_the_retention_run_is_under_way_is_kept(
        app_ctx, monkeypatch):
    """The run lists the inactive accounts first and anonymises them one by one: one that
    logs in after the list was made is read again under its lock and kept."""
    now = datetime.now(UTC)
    back = f.make_user(email="tillbaka@example.se", last_login_at=now - timedelta(days=400))
    gone = f.make_user(email="borta@example.se", last_login_at=now - timedelta(days=400))
    f.commit()
    listed = services.inactive_users(12)
    assert {u.id for u in listed} == {back.id, gone.id}
    # Logs in now, as another server process would write it: not through these objects.
    db.session.execute(db.update(User).where(User.id == back.id).values(last_login_at=now))
    f.commit()
    monkeypatch.setattr(services, "inactive_users", lambda months, now=None: listed)
    assert services.anonymise_inactive(12) == [gone.id]
    f.commit()
    db.session.expire_all()
    assert not services.is_anonymised(db.session.get(User, back.id))
    assert services.is_anonymised(db.session.get(User, gone.id))


def test_a_person_deleting_their_account_as_staff_anonymise_it_is_anonymised_once(
        app_ctx, login):
    """The person deletes their account at the moment staff anonymise it on their request:
    one anonymisation, and neither side gets an error page."""
    from lokalamal_app.models import AuditEvent

    staff = f.make_user(is_staff=True)
    for round_number in range(4):
        person = f.make_user(email=f"dubbel{round_number}@example.se")
        f.commit()
        answers = statuses_at_once(
            (login(person), "/account/delete", {"password": f.PASSWORD, "confirm": "y"}),
            (login(staff), "/privacy/staff/anonymise", {"email": person.email, "reason": "mejl",
                                                        "confirm": "y"}))
        assert answers[0] == 302 and answers[1] in (302, 422)
        assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "user.anonymise",
            AuditEvent.subject_id == person.id)).scalar_one() == 1


def test_retention_command_defaults_to_the_setting(app_ctx, runner):
    now = datetime.now(UTC)
    f.make_user(last_login_at=now - timedelta(days=30 * 23))
    f.make_user(last_login_at=now - timedelta(days=30 * 25))
    f.commit()
    result = runner.invoke(args=["anonymise-inactive"])
    assert result.exit_code == 0, result.output
    assert "1 konton anonymiserade (inaktiva i 24 månader)" in result.output


def test_months_before_keeps_calendar_months():
    moment = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert services.months_before(moment, 1) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    assert services.months_before(moment, 12) == datetime(2025, 3, 31, 12, tzinfo=UTC)
    assert services.months_before(datetime(2026, 1, 5, tzinfo=UTC), 2) == datetime(
        2025, 11, 5, tzinfo=UTC)
