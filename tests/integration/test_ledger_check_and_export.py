"""ledger-check finds every stored total that disagrees with the ledger; audit trail and
CSV exports for admins and staff."""

from datetime import date

import pytest
from sqlalchemy import update

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services, totals
from lokalamal_app.models import Tally
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin Adminsson", email="admin@example.se")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    member = factories.make_user(display_name="Maja Medlem")
    team = factories.make_team(company, captain=member, name="Fikagänget")
    other_admin = factories.make_user()
    other_company = factories.make_company(admin=other_admin, name="Grannen AB")
    other_team = factories.make_team(other_company, goal_number=1, name="Grannlaget")
    staff = factories.make_user(is_staff=True, email="staff@example.se")
    a = factories.make_collection(team, amount_ore=1_250_50, logged_by=member,
                                  collected_on=date(2026, 10, 3), note="=SUMMA(A1) fika",
                                  method="cash")
    b = factories.make_collection(team, amount_ore=200_00, logged_by=member,
                                  collected_on=date(2026, 11, 5), note="Swish på mötet")
    c = factories.make_collection(other_team, amount_ore=99_00,
                                  collected_on=date(2026, 11, 6), note="Grannarnas loppis")
    services.attest_entry(b, admin)
    services.receive_entry(b, staff, "Kvitto 1")
    services.reject_entry(c, staff, "Kom aldrig in")
    services.correct_entry(a, admin, 1_300_00, date(2026, 10, 3), "cash", "Åtta hundra",
                           "Räknade fel")
    factories.commit()
    return type("World", (), dict(**locals()))


def test_ledger_check_passes_when_totals_agree(world, runner):
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output
    assert "stämmer" in result.output


@pytest.mark.ledger_tampered
def test_ledger_check_finds_a_tampered_total(world, runner):
    db.session.execute(
        update(Tally)
        .where(Tally.subject == "team", Tally.subject_id == world.team.id, Tally.period == "all")
        .values(reported_ore=Tally.reported_ore + 1)
    )
    db.session.execute(
        update(Tally).where(Tally.subject == "goal", Tally.subject_id == world.team.goal_id,
                            Tally.period == "2026-11")
        .values(entry_count=7)
    )
    factories.commit()
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1
    assert f"team {world.team.id} all reported_ore: lagrat 150001, enligt huvudboken 150000" \
        in result.output
    assert f"goal {world.team.goal_id} 2026-11 entry_count: lagrat 7, enligt huvudboken 1" in result.output


@pytest.mark.ledger_tampered
def test_ledger_check_finds_a_missing_total_row(world, runner):
    db.session.execute(db.delete(Tally).where(Tally.subject == "goal"))
    factories.commit()
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1
    assert "goal " in result.output and "lagrat 0" in result.output


def test_ledger_check_passes_on_the_demo_data(runner, app_ctx):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output


def test_the_demo_has_a_rejection_a_correction_a_withdrawal_and_cash_to_count(runner, app,
                                                                              app_ctx):
    runner.invoke(args=["demo-data"])
    client = app.test_client()
    client.post("/login", data={"email": "medarbetare@demo.lokalamal.se",
                                "password": app.config["DEMO_PASSWORD"]})
    html = client.get("/ledger/mine").get_data(as_text=True)
    assert "Avvisad" in html and "Kontanter att räkna" in html


def test_every_money_change_writes_an_audit_event(world):
    from lokalamal_app.models import AuditEvent

    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.subject_type == "ledger_entry")
    ).scalars().all()
    for action in ("collection.log", "collection.attest", "collection.receive",
                   "collection.reject",
                   "collection.correct", "collection.correct.reverse"):
        assert action in actions
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "collection.reject")
    ).scalar_one()
    assert event.actor_id == world.staff.id
    assert '"status": "pending"' in event.before and '"status": "rejected"' in event.after
    assert event.created_at is not None


def test_staff_read_and_export_the_audit_trail(world, login):
    client = login(world.staff)
    html = client.get("/ledger/audit").get_data(as_text=True)
    assert "collection.reject" in html and "staff@example.se" in html
    response = client.get("/ledger/audit.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeffid;tid (UTC);vem;händelse")
    assert "collection.correct" in body


@pytest.mark.parametrize("who", ["admin", "member"])
def test_only_staff_read_the_audit_trail(world, login, who):
    client = login(getattr(world, who))
    assert client.get("/ledger/audit").status_code == 403
    assert client.get("/ledger/audit.csv").status_code == 403


def csv_lines(response) -> list[str]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return raw.decode("utf-8-sig").splitlines()


def test_an_admin_exports_their_workplace_as_excel_friendly_csv(world, login):
    response = login(world.admin).get("/ledger/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    lines = csv_lines(response)
    assert lines[0].startswith("post;insamlat datum;")
    body = "\n".join(lines)
    assert "Grannarnas loppis" not in body
    assert "1250,50" in body and "-1250,50" in body and "1300,00" in body and "200,00" in body
    assert "Kopparlunden AB;Fikagänget;#3 Ingen ensamhet" in body
    assert "'=SUMMA(A1) fika" in body  # a formula is never run by Excel
    assert len(lines) == 1 + 4


def test_staff_export_everything_and_filter(world, login):
    client = login(world.staff)
    assert len(csv_lines(client.get("/ledger/export.csv"))) == 1 + 5
    rejected = csv_lines(client.get("/ledger/export.csv?status=rejected"))
    assert len(rejected) == 2 and "Avvisad" in rejected[1] and "Kom aldrig in" in rejected[1]
    received = csv_lines(client.get("/ledger/export.csv?status=received"))
    assert len(received) == 2 and "Mottagen av stadsmissionen" in received[1]
    assert "Swish på mötet" in received[1]
    # Who attested it for the workplace, and the receipt the mission has for it.
    assert received[0].endswith("attesterad av;mottagen datum;mottagen referens")
    assert received[1].endswith(f";Admin Adminsson;{clock.today().isoformat()};Kvitto 1")
    assert len(csv_lines(client.get("/ledger/export.csv?status=attested"))) == 1
    november = csv_lines(client.get("/ledger/export.csv?date_from=2026-11-01&date_to=2026-11-30"))
    assert len(november) == 3
    goal_one = csv_lines(client.get(f"/ledger/export.csv?goal={world.other_team.goal_id}"))
    assert len(goal_one) == 2 and "Grannlaget" in goal_one[1]
    by_company = csv_lines(client.get(f"/ledger/export.csv?company={world.company.id}"))
    assert len(by_company) == 5
    by_team = csv_lines(client.get(f"/ledger/export.csv?team={world.other_team.id}"))
    assert len(by_team) == 2
    cash = csv_lines(client.get("/ledger/export.csv?method=cash"))
    assert len(cash) == 4 and all("Kontanter" in line for line in cash[1:])


@pytest.mark.parametrize("query, message", [
    ("date_from=2026-02-30", "Det datumet finns inte"),
    ("date_from=igår", "ÅÅÅÅ-MM-DD"),
    ("date_from=0001-01-01", "för långt bak i tiden"),
    ("date_to=2999-12-31", "för långt fram i tiden"),
    ("team=%C2%B2", "siffror"),
    ("date_from=2026-11-10&date_to=2026-11-01", "före startdatumet"),
    ("status=borta", "Välj en status"),
    ("method=guld", "Välj ett sätt"),
    ("team=abc", "siffror"),
    ("goal=99", "Välj ett mål"),
])
def test_bad_export_filters_get_a_message_and_a_422(world, login, query, message):
    response = login(world.staff).get(f"/ledger/export.csv?{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_admin_cannot_export_another_workplace(world, login):
    response = login(world.admin).get(f"/ledger/export.csv?company={world.other_company.id}")
    assert response.status_code == 422
    assert "Välj en arbetsplats i listan" in response.get_data(as_text=True)
    lines = csv_lines(login(world.admin).get(f"/ledger/export.csv?team={world.other_team.id}"))
    assert lines[1:] == []


def test_members_cannot_export(world, login):
    assert login(world.member).get("/ledger/export.csv").status_code == 403
    assert login(world.member).get("/ledger/export").status_code == 403


def test_the_export_page_offers_the_filters(world, login):
    html = login(world.admin).get("/ledger/export").get_data(as_text=True)
    assert "Kopparlunden AB" in html and "Grannen AB" not in html
    assert "Ingen ensamhet" in html


def test_totals_match_after_all_those_changes(world):
    team = totals.figures("team", world.team.id)
    assert (team.reported_ore, team.attested_ore, team.received_ore) == (
        1_500_00, 200_00, 200_00)
    other = totals.figures("team", world.other_team.id)
    assert (other.reported_ore, other.attested_ore, other.received_ore) == (0, 0, 0)
