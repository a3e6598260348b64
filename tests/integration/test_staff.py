"""The staff side: the permission wall, the overview, staff rights, goal content,
partners and settings. Every staff action leaves an audit event."""

import io
import json
from datetime import timedelta

import pytest
from PIL import Image

from lokalamal_app import clock, settings
from lokalamal_app.extensions import db
from lokalamal_app.models import AuditEvent, Goal, ImpactLine, Partner, User
from tests import factories


@pytest.fixture
def staff(app_ctx):
    user = factories.make_user(display_name="Sara Personal", is_staff=True)
    factories.commit()
    return user


def _staff_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff"):
            url = rule.rule.replace("<path:rest>", "okand/sida")
            url = url.replace("<int:user_id>", "1").replace("<int:goal_id>", "1")
            url = url.replace("<int:partner_id>", "1").replace("<int:line_id>", "1")
            url = url.replace("<int:inquiry_id>", "1").replace("<int:payment_id>", "1").replace("<slug>", "some-workplace")
            url = url.replace("<int:campaign_id>", "1").replace("<int:round_id>", "1")
            assert "<" not in url, url
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def test_non_staff_get_403_at_every_staff_url_with_no_hint(app, app_ctx, client, login):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    team = factories.make_team(company, captain=admin)
    factories.make_collection(team)
    factories.commit()
    urls = list(_staff_urls(app))
    assert ("GET", "/staff") in urls and ("POST", "/staff/swish-import/confirm") in urls
    assert len(urls) > 15
    for who, c in (("visitor", client), ("company admin", login(admin))):
        for method, url in urls:
            response = c.open(url, method=method, data={"email": admin.email})
            assert response.status_code == 403, (who, method, url)
            body = response.get_data(as_text=True)
            assert "Du har inte tillgång hit" in body
            for hint in ("Swishimport", "Översikt", "Partnerförfrågningar", "Personalmeny",
                         "Ge behörighet", "Exportera", "Inställningar"):
                assert hint not in body, (who, url, hint)
    assert db.session.get(User, admin.id).is_staff is False


def test_staff_see_the_overview_with_totals_per_goal_and_workplace(app_ctx, staff, login):
    company = factories.make_company(name="Grannföretaget AB")
    team = factories.make_team(company, goal_number=3)
    factories.make_collection(team, amount_ore=1_200_00)
    old = factories.make_collection(team, amount_ore=300_00,
                                    collected_on=clock.today() - timedelta(days=20))
    from lokalamal_app.ledger.services import receive_entry

    receive_entry(old, staff, "Kvitto 1")
    factories.commit()
    html = login(staff).get("/staff").get_data(as_text=True)
    assert "Grannföretaget AB" in html
    assert "#3 Ingen ensamhet" in html
    # The week holds only the fresh 1 200 kr; all time holds 1 500 kr, 300 kr received.
    assert "1\u00a0200\u00a0kr" in html and "1\u00a0500\u00a0kr" in html and "300\u00a0kr" in html
    assert "<svg" in html and "/ledger/queue" in html and "/ledger/audit" in html


def test_overview_queries_do_not_grow_with_the_number_of_workplaces(app_ctx, staff, login,
                                                                    count_queries):
    client = login(staff)

    def add(n):
        for _ in range(n):
            company = factories.make_company()
            factories.make_collection(factories.make_team(company))
        factories.commit()

    add(2)
    with count_queries() as few:
        assert client.get("/staff").status_code == 200
    add(6)
    with count_queries() as many:
        assert client.get("/staff").status_code == 200
    assert many.count == few.count


def test_unknown_staff_address_is_404_for_staff(staff, login):
    assert login(staff).get("/staff/finns-inte").status_code == 404


def test_staff_grant_and_revoke_staff_rights_with_audit(app_ctx, staff, login):
    other = factories.make_user(email="kollega@stadsmissionen.example")
    factories.commit()
    client = login(staff)
    response = client.post("/staff/people", data={"email": "Kollega@stadsmissionen.example"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other.id).is_staff is True
    response = client.post(f"/staff/people/{other.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other.id).is_staff is False
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.subject_id == other.id,
                                           AuditEvent.action.like("user.staff%"))
        .order_by(AuditEvent.id)
    ).scalars().all()
    assert actions == ["user.staff_granted", "user.staff_revoked"]


def test_granting_an_unknown_address_says_so_at_the_field(staff, login):
    response = login(staff).post("/staff/people", data={"email": "ingen@example.se"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Det finns inget konto med den adressen" in html
    assert 'value="ingen@example.se"' in html


def test_staff_cannot_revoke_their_own_rights(app_ctx, staff, login):
    client = login(staff)
    response = client.post(f"/staff/people/{staff.id}/revoke", follow_redirects=True)
    assert "Du kan inte ta bort din egen behörighet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, staff.id).is_staff is True


def test_goal_edit_shows_at_once_on_the_goal_page_and_is_audited(app_ctx, staff, login):
    goal = factories.goal(3)
    client = login(staff)
    response = client.post(f"/staff/goals/{goal.id}", data={
        "title": "Ingen ensamhet", "summary": "Ingen ska behöva vara ensam i Västerås.",
        "body": "Livsberättargrupper.\r\n\r\nTvå öppna mötesplatser.", "un_goals": ["3", "16"],
    })
    assert response.status_code == 302
    page = client.get("/goals/ingen-ensamhet").get_data(as_text=True)
    assert "Ingen ska behöva vara ensam i Västerås." in page
    assert "<p>Två öppna mötesplatser.</p>" in page
    assert "Fredliga och inkluderande samhällen" in page
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "goal.edit")
    ).scalar_one()
    assert event.actor_id == staff.id and "Livsberättargrupper" in event.after


def test_goal_edit_without_a_title_is_refused_and_keeps_the_text(app_ctx, staff, login):
    goal = factories.goal(3)
    response = login(staff).post(f"/staff/goals/{goal.id}", data={
        "title": "", "summary": "Min nya text", "body": "", "un_goals": ["99"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Målet behöver en rubrik." in html and "Min nya text" in html
    assert "Välj bland de globala målen i listan." in html
    db.session.expire_all()
    assert db.session.get(Goal, goal.id).title == "Ingen ensamhet"


def test_impact_lines_come_from_staff_and_show_on_the_goal_page(app_ctx, staff, login):
    goal = factories.goal(1)
    client = login(staff)
    response = client.post(f"/staff/goals/{goal.id}/impact",
                           data={"amount": "250", "text": "en natt i värme", "position": "1"})
    assert response.status_code == 302
    page = client.get("/goals/ingen-hemloshet").get_data(as_text=True)
    assert "Det här gör pengarna" in page and "250\u00a0kr" in page and "en natt i värme" in page
    bad = client.post(f"/staff/goals/{goal.id}/impact", data={"amount": "tjugo", "text": "x"})
    assert bad.status_code == 422
    assert "Beloppet ska vara ett tal" in bad.get_data(as_text=True)
    line = db.session.execute(db.select(ImpactLine)).scalar_one()
    assert line.amount_ore == 250_00
    assert client.post(f"/staff/impact/{line.id}/delete").status_code == 302
    assert db.session.execute(db.select(ImpactLine)).first() is None
    actions = db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.action.like("impact.%"))
        .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["impact.add", "impact.delete"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), "blue").save(out, format="PNG")
    return out.getvalue()


def test_partner_with_logo_is_listed_on_its_goal_page(app_ctx, staff, login, client):
    goal = factories.goal(3)
    response = login(staff).post("/staff/partners/new", data={
        "goal": str(goal.id), "name": "Mälarbolaget AB", "level": "main",
        "url": "https://example.se", "position": "0",
        "logo": (io.BytesIO(_png()), "logo.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    partner = db.session.execute(db.select(Partner)).scalar_one()
    page = client.get("/goals/ingen-ensamhet").get_data(as_text=True)
    assert "Huvudpartner" in page and f"/partners/{partner.id}/logo" in page
    logo = client.get(f"/partners/{partner.id}/logo")
    assert logo.status_code == 200
    assert logo.headers["Content-Type"] == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in logo.headers["Content-Security-Policy"]
    assert logo.headers["Content-Disposition"].startswith("inline; filename=")


def test_a_logo_that_is_html_in_disguise_is_refused(app_ctx, staff, login):
    goal = factories.goal(3)
    response = login(staff).post("/staff/partners/new", data={
        "goal": str(goal.id), "name": "Fusk AB", "level": "partner", "url": "",
        "logo": (io.BytesIO(b"<html><script>alert(1)</script>"), "logo.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Logotypen måste vara en PNG-, JPEG- eller SVG-bild." in html
    assert 'value="Fusk AB"' in html
    assert db.session.execute(db.select(Partner)).first() is None


def test_svg_logo_is_stored_clean_and_served_as_svg(app_ctx, staff, login, client):
    goal = factories.goal(2)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
           b'<script>alert(2)</script><rect width="4" height="4"/></svg>')
    login(staff).post("/staff/partners/new", data={
        "goal": str(goal.id), "name": "Vektor AB", "level": "partner", "url": "",
        "logo": (io.BytesIO(svg), "logo.svg"),
    }, content_type="multipart/form-data")
    partner = db.session.execute(db.select(Partner)).scalar_one()
    served = client.get(f"/partners/{partner.id}/logo")
    assert served.headers["Content-Type"] == "image/svg+xml"
    assert b"script" not in served.data and b"onload" not in served.data
    assert b"<rect" in served.data


def test_partner_link_must_be_a_web_address(app_ctx, staff, login):
    goal = factories.goal(3)
    response = login(staff).post("/staff/partners/new", data={
        "goal": str(goal.id), "name": "Länk AB", "level": "partner",
        "url": "javascript:alert(1)"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "https://" in response.get_data(as_text=True)


def test_settings_refuse_a_swish_number_that_is_not_digits(app_ctx, staff, login):
    client = login(staff)
    response = client.post("/staff/settings", data={"swish_number": "123abc4567"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "bara innehålla siffror" in html and 'value="123abc4567"' in html
    assert settings.get("swish_number") == ""
    response = client.post("/staff/settings", data={"swish_number": "123-456 78 90",
                                                    "tax_reduction_approved": "y"})
    assert response.status_code == 302
    assert settings.get("swish_number") == "1234567890"
    assert settings.get_bool("tax_reduction_approved")
    assert db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "setting.change")
    ).scalar_one() == 2


def test_export_is_a_csv_of_the_ledger(app_ctx, staff, login):
    company = factories.make_company(name="=Formel AB")
    factories.make_collection(factories.make_team(company), amount_ore=1234_50)
    factories.commit()
    response = login(staff).get("/staff/export/collections.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data(as_text=True)
    assert "1234,50" in text and "'=Formel AB" in text


def test_staff_set_the_bankgiro_number_and_cash_instructions(app_ctx, staff, login):
    client = login(staff)
    response = client.post("/staff/settings", data={"bankgiro_number": "123-4567"})
    assert response.status_code == 422
    assert "kontrollsiffran är fel" in response.get_data(as_text=True)
    assert settings.get("bankgiro_number") == ""
    response = client.post("/staff/settings", data={
        "bankgiro_number": " 123-4566 ", "cash_instructions": "Receptionen, vardagar 9–16."})
    assert response.status_code == 302
    assert settings.get("bankgiro_number") == "1234566"
    assert settings.get("cash_instructions") == "Receptionen, vardagar 9–16."
    form = client.get("/staff/settings").get_data(as_text=True)
    assert 'value="123-4566"' in form and "Receptionen, vardagar 9–16." in form
    response = client.post("/staff/settings", data={"cash_instructions": "x" * 501})
    assert response.status_code == 422 and "högst 500 tecken" in response.get_data(as_text=True)
    changes = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "setting.change")).scalars().all()
    assert {json.loads(c.after)["key"] for c in changes} == {"bankgiro_number", "cash_instructions"}
