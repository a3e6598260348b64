"""Bli partner (honeypot, rate limit, outbox), goal-page sharing and partners, preview
images, QR codes and the team Swish partial."""

import io

import pytest
from flask import render_template
from PIL import Image

from lokalamal_app import qr, settings
from lokalamal_app.extensions import db
from lokalamal_app.models import AuditEvent, Inquiry, OutboxMessage
from lokalamal_app.reconciliation import references
from tests import factories

GOOD = {"company_name": "Mälarbolaget AB", "contact_name": "Eva Ek", "email": "eva@malar.example",
        "phone": "021-10 20 30", "goal": "", "level": "main", "message": "Vi vill vara med!",
        "website": ""}


def test_an_inquiry_lands_for_staff_and_is_mailed(app_ctx, client, login):
    goal = factories.goal(4)
    staff = factories.make_user(is_staff=True, email="sara@stadsmissionen.example")
    factories.commit()
    response = client.post("/bli-partner", data={**GOOD, "goal": str(goal.id)})
    assert response.status_code == 302 and response.location.endswith("/bli-partner/tack")
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    assert (inquiry.company_name, inquiry.goal_id, inquiry.level) == ("Mälarbolaget AB", goal.id, "main")
    mail = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert mail.to == "sara@stadsmissionen.example"
    assert "Mälarbolaget AB" in mail.subject and "eva@malar.example" in mail.body
    assert "/staff/inquiries" in mail.body
    staff_client = login(staff)
    assert "Mälarbolaget AB" in staff_client.get("/staff").get_data(as_text=True)
    assert "Vi vill vara med!" in staff_client.get("/staff/inquiries").get_data(as_text=True)
    assert staff_client.post(f"/staff/inquiries/{inquiry.id}/handled").status_code == 302
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).handled_at is not None
    again = staff_client.post(f"/staff/inquiries/{inquiry.id}/handled", follow_redirects=True)
    assert "Förfrågan är redan hanterad." in again.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.action == "inquiry.handled")).scalar_one() == 1


def test_the_honeypot_stores_and_sends_nothing(app_ctx, client):
    factories.make_user(is_staff=True)
    factories.commit()
    response = client.post("/bli-partner", data={**GOOD, "website": "http://spam.example"})
    assert response.status_code == 302
    assert db.session.execute(db.select(Inquiry)).first() is None
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_the_rate_limit_holds_in_the_database(app_ctx, client, make_app):
    for _ in range(3):
        assert client.post("/bli-partner", data=GOOD).status_code == 302
    # Another server process sees the same count.
    other = make_app(WTF_CSRF_ENABLED=False).test_client()
    response = other.post("/bli-partner", data=GOOD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Försök igen lite senare" in html and 'value="Mälarbolaget AB"' in html
    assert db.session.execute(db.select(db.func.count(Inquiry.id))).scalar_one() == 3


@pytest.mark.parametrize("field, value, message", [
    ("email", "inte-en-adress", "Det ser inte ut som en e-postadress"),
    ("message", "x" * 2001, "högst 2 000 tecken"),
    ("company_name", "", "Skriv företagets namn."),
    ("phone", "ring mig", "Telefonnumret får bara ha siffror"),
    ("goal", "999", "Välj ett av målen i listan."),
    ("level", "guld", "Välj huvudpartner eller partner."),
])
def test_bad_inquiries_get_a_clear_message_and_keep_the_text(app_ctx, client, field, value,
                                                             message):
    response = client.post("/bli-partner", data={**GOOD, field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Eva Ek" in html
    assert db.session.execute(db.select(Inquiry)).first() is None


def test_goal_page_has_share_links_open_graph_and_qr(client):
    html = client.get("/goals/ingen-ensamhet").get_data(as_text=True)
    assert "https://www.facebook.com/sharer/sharer.php?u=http%3A//localhost/goals/ingen-ensamhet" in html
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in html
    assert 'href="mailto:?subject=' in html
    assert 'data-copy="http://localhost/goals/ingen-ensamhet"' in html
    assert '<meta property="og:image" content="http://localhost/share/preview/goal/ingen-ensamhet.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "/share/qr.svg?path=/goals/ingen-ensamhet" in html
    assert "<script" not in html.split("</head>")[1].replace('<script src="', "")


def test_preview_image_is_a_png_card(app_ctx, client):
    company = factories.make_company()
    team = factories.make_team(company, target_ore=10_000_00)
    factories.make_collection(team, amount_ore=2_500_00)
    factories.commit()
    for url in (f"/share/preview/team/{team.id}.png", "/share/preview/goal/ingen-ensamhet.png",
                f"/share/preview/company/{company.slug}.png"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert client.get("/share/preview/team/999.png").status_code == 404
    assert client.get("/share/preview/nothing/1.png").status_code == 404


def test_qr_codes_are_for_this_site_only(client):
    svg = client.get("/share/qr.svg?path=/goals/ingen-ensamhet")
    assert svg.headers["Content-Type"] == "image/svg+xml" and b"<svg" in svg.data
    png = client.get("/share/qr.png?path=/goals/ingen-ensamhet")
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.headers["Content-Disposition"].startswith("attachment;")
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert client.get("/share/qr.svg", query_string={"path": bad}).status_code == 404


def test_team_swish_partial_shows_only_with_a_number(app, app_ctx, client):
    company = factories.make_company()
    team = factories.make_team(company, reference="LM777", name="Fikagänget")
    factories.commit()
    with app.test_request_context("/"):
        assert "Öppna Swish" not in render_template("sharing/_swish.html", team=team)
    assert client.get(f"/share/swish/{team.id}.svg").status_code == 404
    settings.put("swish_number", "1234567890")
    factories.commit()
    with app.test_request_context("/"):
        html = render_template("sharing/_swish.html", team=team)
    reference = references.payment_reference(team.id)
    assert "Öppna Swish" in html and f"<strong>{reference}</strong>" in html
    assert (f'href="https://app.swish.nu/1/p/sw/?sw=1234567890&amp;msg={reference}%20Lokala%20m%C3%A5l'
            '&amp;edit=amt&amp;src=url"') in html
    assert f"/share/swish/{team.id}.svg" in html
    svg = client.get(f"/share/swish/{team.id}.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    # The image is the QR of the specified payload: the team's reference, amount up to the payer.
    payload = f"C1234567890;;{reference}%20Lokala%20m%C3%A5l;2"
    assert svg.get_data(as_text=True) == qr.svg(payload)


def test_team_page_shows_bankgiro_reference_and_cash_instructions_staff_set(app_ctx, client):
    company = factories.make_company()
    team = factories.make_team(company, name="Fikagänget")
    factories.commit()
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Ge med bankgiro eller kontanter" not in page
    settings.put("bankgiro_number", "1234566")
    settings.put("cash_instructions", "Lämna bössan i receptionen <b>före</b> fredag.")
    factories.commit()
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    reference = references.payment_reference(team.id)
    assert "Betala till bankgiro <strong>123-4566</strong>" in page
    assert f"skriv {reference} som referens (OCR)" in page
    assert "Lämna bössan i receptionen &lt;b&gt;före&lt;/b&gt; fredag." in page


def test_partner_listing_without_partners_invites_companies(client):
    html = client.get("/goals/alla-kan-arbeta").get_data(as_text=True)
    assert "Målet har inga partner än." in html
    assert "/bli-partner?goal=" in html
