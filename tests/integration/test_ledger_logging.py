"""Logging a collection: the form, htmx answers, idempotency and every kind of bad input."""

import re
import uuid
from datetime import timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import AuditEvent, LedgerEntry
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin Adminsson")
    company = factories.make_company(admin=admin)
    member = factories.make_user(display_name="Maja Medlem")
    team = factories.make_team(company, captain=member)
    outsider = factories.make_user()
    factories.add_member(company, outsider)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    return type("World", (), dict(admin=admin, company=company, member=member, team=team,
                                  outsider=outsider, staff=staff))


def form(**overrides):
    values = {
        "amount": "250",
        "collected_on": clock.today().isoformat(),
        "method": "swish",
        "note": "Fikaförsäljning fredag",
        "idempotency_key": uuid.uuid4().hex,
    }
    values.update(overrides)
    return values


def entry_count() -> int:
    return db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one()


def reported(team) -> int:
    tally = totals.figures("team", team.id)
    return tally.reported_ore if tally else 0


def test_the_new_collection_page_shows_the_form_with_a_fresh_key(world, login):
    client = login(world.member)
    html = client.get(f"/teams/{world.team.id}/collections/new").get_data(as_text=True)
    assert 'name="idempotency_key"' in html
    assert f'id="team-{world.team.id}-total"' in html
    assert "Registrera en insamling" in html
    second = client.get(f"/teams/{world.team.id}/collections/new").get_data(as_text=True)
    key = html.split('name="idempotency_key" type="hidden" value="')[1][:32]
    assert key not in second


@pytest.mark.parametrize("typed, ore", [
    ("1 250,50", 125_050), ("1250.50", 125_050), ("1 250 kr", 125_000), ("1250:-", 125_000),
    ("0,50", 50),
])
def test_a_member_logs_a_collection_and_it_counts_as_reported(world, login, typed, ore):
    response = login(world.member).post(f"/teams/{world.team.id}/collections",
                                        data=form(amount=typed))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/teams/{world.team.id}")
    entry = db.session.execute(db.select(LedgerEntry)).scalar_one()
    assert (entry.amount_ore, entry.status, entry.logged_by_id) == (ore, "pending",
                                                                    world.member.id)
    assert reported(world.team) == ore
    assert totals.figures("company", world.company.id).reported_ore == ore
    assert totals.figures("goal", world.team.goal_id).reported_ore == ore
    assert db.session.execute(
        db.select(AuditEvent.action).where(AuditEvent.subject_type == "ledger_entry",
                                           AuditEvent.subject_id == entry.id)
    ).scalars().all() == ["collection.log"]


def test_with_htmx_the_form_answers_in_place_and_the_total_updates(world, login):
    response = login(world.member).post(
        f"/teams/{world.team.id}/collections", data=form(amount="1 250"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "collectionLogged"
    html = response.get_data(as_text=True)
    assert f'id="team-{world.team.id}-log"' in html
    assert f'id="team-{world.team.id}-total" hx-swap-oob="true"' in html
    assert "1\u00a0250\u00a0kr" in html
    assert "<html" not in html
    # The fresh form carries a new key and no old values.
    assert 'value="1 250"' not in html


def test_with_htmx_a_bad_amount_answers_422_with_the_typed_value_kept(world, login):
    response = login(world.member).post(
        f"/teams/{world.team.id}/collections", data=form(amount="tolv kronor"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="tolv kronor"' in html
    assert "Beloppet ska vara ett tal" in html
    assert "HX-Trigger" not in response.headers
    assert entry_count() == 0


@pytest.mark.parametrize("typed", ["1,250", "1.250"])
def test_an_ambiguous_amount_is_asked_about_at_the_field_and_kept(world, login, typed):
    response = login(world.member).post(f"/teams/{world.team.id}/collections",
                                        data=form(amount=typed))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'value="{typed}"' in html
    assert "Menar du 1\u00a0250\u00a0kr eller 1,25\u00a0kr?" in html
    assert entry_count() == 0


@pytest.mark.parametrize("typed, ore", [("1,250", 125_000), ("1,250.50", 125_050),
                                        ("1.25", 125)])
def test_in_english_amounts_are_read_the_english_way(world, login, typed, ore):
    client = login(world.member)
    client.set_cookie("lang", "en")
    response = client.post(f"/teams/{world.team.id}/collections", data=form(amount=typed))
    assert response.status_code == 303
    assert db.session.execute(db.select(LedgerEntry.amount_ore)).scalar_one() == ore


def test_in_english_a_dot_and_three_digits_is_asked_about(world, login):
    client = login(world.member)
    client.set_cookie("lang", "en")
    response = client.post(f"/teams/{world.team.id}/collections", data=form(amount="1.250"))
    assert response.status_code == 422
    assert "Do you mean 1,250\u00a0kr or 1.25\u00a0kr?" in response.get_data(as_text=True)
    assert entry_count() == 0


@pytest.mark.parametrize("field, value, message", [
    ("amount", "0", "större än noll"),
    ("amount", "-50", "större än noll"),
    ("amount", "femtio", "ska vara ett tal"),
    ("amount", "12,5055", "högst två decimaler"),
    ("amount", "1,250", "Menar du 1\u00a0250\u00a0kr eller 1,25\u00a0kr?"),
    ("amount", "1.250", "Menar du 1\u00a0250\u00a0kr eller 1,25\u00a0kr?"),
    ("amount", "1 000 000,01", "högst 1\u00a0000\u00a0000\u00a0kr"),
    ("amount", "12 34", "Mellanslag får bara dela upp tusental"),
    ("amount", "9" * 27, "högst 1\u00a0000\u00a0000\u00a0kr"),
    ("amount", "9" * 35 + ",5", "högst 1\u00a0000\u00a0000\u00a0kr"),
    ("amount", "12\n34", "Mellanslag får bara dela upp tusental"),
    ("amount", "", "Skriv ett belopp"),
    ("collected_on", (clock.today() + timedelta(days=1)).isoformat(), "framtiden"),
    ("collected_on", "2026-13-40", "Det datumet finns inte"),
    ("collected_on", "0001-01-01", "för långt bak i tiden"),
    ("collected_on", "1999-12-31", "för långt bak i tiden"),
    ("collected_on", "igår", "ÅÅÅÅ-MM-DD"),
    ("collected_on", "", "Skriv datumet"),
    ("collected_on", "   ", "Skriv datumet"),
    ("collected_on", "\t\n", "Skriv datumet"),
    ("method", "bitcoin", "Välj ett av sätten"),
    ("method", "match", "Välj ett av sätten"),
    ("method", "payroll", "Välj ett av sätten"),  # only a workplace's payroll run books it
    ("note", "x" * 201, "högst 200 tecken"),
    ("idempotency_key", "", "Ladda om sidan"),
    ("idempotency_key", "not-a-key", "Ladda om sidan"),
])
def test_bad_input_gets_a_message_a_422_and_nothing_is_stored(world, login, field, value,
                                                              message):
    response = login(world.member).post(f"/teams/{world.team.id}/collections",
                                        data=form(**{field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert entry_count() == 0
    assert reported(world.team) == 0
    assert db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.subject_type == "ledger_entry")
    ).scalar_one() == 0


def test_the_maximum_is_configurable(make_app, world):
    other = make_app(MAX_COLLECTION_ORE=100_00)
    client = other.test_client()
    client.post("/login", data={"email": world.member.email, "password": factories.PASSWORD})
    response = client.post(f"/teams/{world.team.id}/collections", data=form(amount="100,01"))
    assert response.status_code == 422
    assert "högst 100\u00a0kr" in response.get_data(as_text=True)
    assert client.post(f"/teams/{world.team.id}/collections",
                       data=form(amount="100")).status_code == 303


def test_a_note_with_html_is_stored_as_typed_and_shown_escaped(world, login):
    client = login(world.member)
    note = '<script>alert("hej")</script> & <b>fika</b>'
    client.post(f"/teams/{world.team.id}/collections", data=form(note=note))
    assert db.session.execute(db.select(LedgerEntry.note)).scalar_one() == note
    html = client.get(f"/teams/{world.team.id}/collections/new").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;hej&#34;)&lt;/script&gt; &amp; &lt;b&gt;fika&lt;/b&gt;" in html
    assert "&lt;script&gt;" in client.get("/ledger/mine").get_data(as_text=True)


def test_a_double_post_with_the_same_key_records_one_entry(world, login):
    client = login(world.member)
    data = form(amount="500")
    first = client.post(f"/teams/{world.team.id}/collections", data=data)
    second = client.post(f"/teams/{world.team.id}/collections", data=data,
                         headers={"HX-Request": "true"})
    third = client.post(f"/teams/{world.team.id}/collections", data=data,
                        follow_redirects=False)
    assert (first.status_code, second.status_code, third.status_code) == (303, 200, 303)
    assert "redan registrerad (500\u00a0kr)" in second.get_data(as_text=True)
    assert entry_count() == 1
    assert reported(world.team) == 500_00


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_form_changed_after_it_was_sent_says_what_counted_and_keeps_the_change(
        world, login, htmx):
    """Sent, then the amount corrected and sent again (the back button, a slow network):
    the first amount is what was recorded; the person is told so, with the changed form
    kept under a new key, and sending that records it as one more collection."""
    client = login(world.member)
    headers = {"HX-Request": "true"} if htmx else {}
    first = form(amount="250")
    assert client.post(f"/teams/{world.team.id}/collections", data=first).status_code == 303
    changed = {**first, "amount": "2500"}
    again = client.post(f"/teams/{world.team.id}/collections", data=changed, headers=headers)
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert "då registrerades 250\u00a0kr" in html and "sparades inte" in html
    assert 'value="2500"' in html and "Fikaförsäljning fredag" in html
    new_key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)
    assert new_key != first["idempotency_key"]
    assert entry_count() == 1 and reported(world.team) == 250_00
    # Sent once more, as the page now offers: one more collection.
    assert client.post(f"/teams/{world.team.id}/collections",
                       data={**changed, "idempotency_key": new_key}).status_code == 303
    assert entry_count() == 2 and reported(world.team) == 2750_00


def test_someone_outside_the_team_cannot_log_for_it(world, login):
    for user in (world.outsider, world.admin):
        response = login(user).post(f"/teams/{world.team.id}/collections", data=form())
        assert response.status_code == 403
        assert login(user).get(f"/teams/{world.team.id}/collections/new").status_code == 403
    assert entry_count() == 0


def test_a_visitor_is_sent_to_log_in(world, client):
    response = client.post(f"/teams/{world.team.id}/collections", data=form())
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert entry_count() == 0


def test_staff_may_log_for_any_team(world, login):
    assert login(world.staff).post(f"/teams/{world.team.id}/collections",
                                   data=form()).status_code == 303
    assert entry_count() == 1


def test_an_unknown_team_is_404(world, login):
    assert login(world.member).post("/teams/99999/collections", data=form()).status_code == 404


def test_the_log_form_partial_renders_for_a_team_page(world, app):
    from flask import render_template

    with app.test_request_context():
        html = render_template("ledger/_log_form.html", team=world.team)
        total = render_template("ledger/_team_total.html", team=world.team, figures=None)
    assert f'hx-post="/teams/{world.team.id}/collections"' in html
    assert 'name="idempotency_key"' in html
    assert f'id="team-{world.team.id}-total"' in total and "0\u00a0kr" in total


def test_a_key_already_used_for_another_team_is_refused(world, login):
    other = factories.make_team(world.company, name="Andra laget")
    factories.commit()
    client = login(world.staff)  # staff may log for both teams
    data = form(amount="75")
    assert client.post(f"/teams/{world.team.id}/collections", data=data).status_code == 303
    assert client.post(f"/teams/{other.id}/collections", data=data).status_code == 409
    assert entry_count() == 1
    assert reported(other) == 0


def test_a_key_another_person_used_is_refused_not_taken_for_theirs(world, login):
    """A colleague's used key (say, a copied form) is no double click of this person's: 409,
    nothing recorded, and no "already registered" that would hide it."""
    colleague = factories.make_user()
    factories.join_team(world.team, colleague)
    factories.commit()
    data = form(amount="75")
    assert login(world.member).post(f"/teams/{world.team.id}/collections",
                                    data=data).status_code == 303
    again = login(colleague).post(f"/teams/{world.team.id}/collections",
                                  data={**data, "amount": "5", "method": "cash"})
    assert again.status_code == 409
    assert "redan använts till en annan insamling" in again.get_data(as_text=True)
    assert entry_count() == 1
    assert reported(world.team) == 75_00


def test_logging_takes_a_few_statements_and_reads_nothing_back_after_them(world, login,
                                                                           count_queries):
    client = login(world.member)
    url = f"/teams/{world.team.id}/collections"
    with count_queries() as counter:
        response = client.post(url, data=form())
    assert response.status_code == 303
    # Who is logged in, the team with the membership, the entry, its audit event, the
    # challenges it counts in, the totals, the board version and the milestones it reaches
    # (one conditional UPDATE before the commit). The board version is a row in the
    # transaction on SQLite; on PostgreSQL a sequence advanced after the commit, on a
    # connection of its own, which reads nothing back either.
    assert counter.count <= 8, counter.statements
    in_transaction = [sql for sql in counter.statements if "board_version_seq" not in sql]
    writes = [i for i, sql in enumerate(in_transaction)
              if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes[-1] == len(in_transaction) - 1, in_transaction[writes[-1] + 1:]


def test_an_htmx_post_after_the_login_ran_out_loads_the_login_page(world, client):
    response = client.post(f"/teams/{world.team.id}/collections", data=form(),
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login")
    assert entry_count() == 0


def test_a_live_poll_after_the_login_ran_out_is_not_sent_to_the_login_page(world, client):
    # Polls are GETs: a board decides itself what to show (a quiet "not updated since").
    response = client.get("/ledger/mine", headers={"HX-Request": "true"})
    assert response.status_code == 302 and "HX-Redirect" not in response.headers


@pytest.mark.parametrize("amount", ["  ", "\t", "\n", "\u00a0", "\u202f", "\u3000"])
def test_an_amount_of_only_spaces_is_asked_for_at_the_field(amount, app_ctx, login):
    """Spaces count as input to InputRequired; the amount field still asks for a sum."""
    captain = factories.make_user()
    company = factories.make_company()
    team = factories.make_team(company, captain=captain)
    factories.commit()
    response = login(captain).post(f"/teams/{team.id}/collections", data={
        "amount": amount, "collected_on": clock.today().isoformat(), "method": "swish",
        "idempotency_key": "a" * 32,
    })
    assert response.status_code == 422
    assert "Skriv ett belopp." in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() == 0


def test_a_nul_byte_in_an_amount_is_refused_not_dropped(app_ctx, login):
    """"1\\x000" must not become 10 kronor: a NUL byte in a posted field is a 400."""
    captain = factories.make_user()
    company = factories.make_company()
    team = factories.make_team(company, captain=captain)
    factories.commit()
    response = login(captain).post(f"/teams/{team.id}/collections", data={
        "amount": "1\x000", "collected_on": clock.today().isoformat(), "method": "swish",
        "idempotency_key": "b" * 32,
    })
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() == 0
