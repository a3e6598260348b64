"""One macro writes out ledger entries on every page: columns, names, status and actions."""

import re

import pytest
from flask import render_template_string
from flask_login import login_user

from lokalamal_app.forms import EmptyForm
from lokalamal_app.ledger import services as ledger
from tests import factories

HEADERS = {
    "id": "Post", "date": "Datum", "team": "Lag", "method": "Sätt", "amount": "Belopp",
    "note": "Anteckning", "status": "Status", "link": "Koppling", "logged": "Registrerad",
    "logged_by": "Rapporterat av", "actions": "Åtgärd",
}


@pytest.fixture
def world(app_ctx):
    logger = factories.make_user(display_name="Maja Medlem")
    shy = factories.make_user(display_name="Hemlig Person")
    admin = factories.make_user(display_name="Admin Adminsson")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    team = factories.make_team(company, captain=logger, name="Fikagänget")
    factories.join_team(team, shy)
    pending = factories.make_collection(team, amount_ore=300_00, logged_by=logger,
                                        note="Fikaförsäljning")
    rejected = factories.make_collection(team, amount_ore=40_00, logged_by=logger)
    ledger.reject_entry(rejected, admin, "Ingen Swish med lagkoden")
    withdrawn = factories.make_collection(team, amount_ore=20_00, logged_by=logger)
    reversal = ledger.withdraw_entry(withdrawn, logger)
    cash = factories.make_collection(team, amount_ore=6_000_00, method="cash", logged_by=shy)
    factories.commit()
    return type("World", (), dict(**locals()))


def table(entries, **kw):
    """The macro's output for `entries` with keyword arguments `kw`."""
    return render_template_string(
        '{% from "ledger/_entries.html" import entries_table %}'
        "{{ entries_table(entries, **kw) }}", entries=entries, kw=kw)


def headers(html):
    """The column heads of each entries table in `html`, in order."""
    heads = [t.split("</thead>", 1)[0] for t in html.split('class="ledger-table entries"')[1:]]
    return [[re.sub(r"<[^>]+>", "", th).strip()
             for th in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", head)]
            for head in heads]


def test_every_column_has_its_head_and_they_come_in_one_order(app, world):
    with app.test_request_context():
        every = render_template_string(
            '{% from "ledger/_entries.html" import COLUMNS %}{{ COLUMNS|join(",") }}')
        assert every.split(",") == list(HEADERS)
        login_user(world.logger)  # the team sees notes and who reported
        html = table([world.pending], columns=list(reversed(HEADERS)), form=EmptyForm())
    assert headers(html) == [list(HEADERS.values())]
    assert f'href="/ledger/entries/{world.pending.id}"' in html
    assert f'href="/teams/{world.team.slug}"' in html
    assert "Fikaförsäljning" in html and ">300\u00a0kr<" in html and "Swish" in html


def test_a_visitor_sees_no_reporter_note_or_reason_in_any_table(app, world):
    entries = [world.cash, world.pending, world.rejected]
    with app.test_request_context():
        html = table(entries, columns=["amount", "note", "status", "logged_by", "logged"],
                     reasons=True)
    assert html.count("En medarbetare") == 6
    assert "Hemlig Person" not in html and "Maja Medlem" not in html
    assert "Fikaförsäljning" not in html and "Ingen Swish med lagkoden" not in html


def test_the_team_sees_who_reported_and_the_notes_in_the_same_table(app, world):
    entries = [world.cash, world.pending, world.rejected]
    with app.test_request_context():
        login_user(world.shy)
        html = table(entries, columns=["note", "status", "logged_by"], reasons=True)
    assert "Hemlig Person" in html and "Maja Medlem" in html
    assert "Fikaförsäljning" in html and "Ingen Swish med lagkoden" in html


def test_status_shows_reversals_withdrawals_counts_and_reasons_where_asked(app, world):
    entries = [world.pending, world.rejected, world.withdrawn, world.reversal, world.cash]
    with app.test_request_context():
        plain = table(entries, columns=["status"])
        login_user(world.admin)
        full = table(entries, columns=["status"], reversed_ids={world.withdrawn.id},
                     reasons=True)
    assert "badge-pending" in plain and "badge-rejected" in plain
    assert "Återföring" in plain and "Väntar på kontrollräkning" in plain
    assert "Återtagen eller rättad" not in plain and "Ingen Swish med lagkoden" not in plain
    assert "Återtagen eller rättad" in full and "Orsak: Ingen Swish med lagkoden" in full


def test_action_buttons_post_with_a_token_and_only_where_they_apply(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    entries = [world.pending, world.rejected, world.withdrawn, world.reversal, world.cash]
    with app.test_request_context():
        html = table(entries, columns=["amount", "actions"], reversed_ids={world.withdrawn.id},
                     actions=["withdraw", "confirm_count"], form=EmptyForm())
        none = table(entries, columns=["amount", "actions"], form=EmptyForm())
    forms = re.findall(r'<form method="post" action="([^"]+)".*?</form>', html, re.S)
    assert forms == [f"/ledger/entries/{world.pending.id}/withdraw",
                     f"/ledger/entries/{world.cash.id}/withdraw",
                     f"/ledger/entries/{world.cash.id}/confirm-count"]
    assert html.count('name="csrf_token"') == 3
    assert "Ta tillbaka" in html and "Jag har räknat: det stämmer" in html
    assert "<form" not in none


def test_no_entries_shows_the_pages_own_words_or_nothing(app, app_ctx):
    with app.test_request_context():
        assert table([], empty="Inget rapporterat än.").strip() == (
            '<p class="empty">Inget rapporterat än.</p>')
        assert table([]).strip() == ""


def test_each_page_lists_entries_through_the_macro_with_its_own_columns(world, login, client):
    logger, admin = login(world.logger), login(world.admin)
    to_count = ["Datum", "Lag", "Belopp", "Rapporterat av", "Åtgärd"]
    pages = {
        f"/teams/{world.team.slug}": (client, [["Datum", "Sätt", "Belopp", "Status"]]),
        "/account": (logger, [["Datum", "Lag", "Sätt", "Belopp", "Status"]]),
        "/ledger/mine": (logger, [to_count, ["Datum", "Lag", "Sätt", "Belopp", "Anteckning",
                                             "Status", "Åtgärd"]]),
        f"/teams/{world.team.id}/collections/new": (logger, [["Datum", "Sätt", "Belopp",
                                                             "Anteckning", "Status"]]),
        f"/ledger/entries/{world.withdrawn.id}": (admin, [["Post", "Datum", "Sätt", "Belopp",
                                                           "Anteckning", "Status", "Koppling",
                                                           "Registrerad"]]),
    }
    for url, (who, expected) in pages.items():
        response = who.get(url)
        assert response.status_code == 200, url
        assert headers(response.get_data(as_text=True)) == expected, url


def test_a_colleague_counts_cash_from_the_same_table(world, login):
    html = login(world.logger).get("/ledger/mine").get_data(as_text=True)
    assert f"/ledger/entries/{world.cash.id}/confirm-count" in html
    assert "Hemlig Person" in html  # the one who counts sees who logged it, as before
