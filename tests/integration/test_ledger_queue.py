"""The queue a page at a time, and attesting and receiving from it in place with htmx."""

import re
import threading
from datetime import timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.ledger.queries import QUEUE_PAGE_SIZE
from lokalamal_app.models import AuditEvent, LedgerEntry
from tests import factories
from tests.integration import test_ledger_handling as handling

HTMX = {"HX-Request": "true", "HX-Target": "entry-1"}

# The same workplaces, people and entries as the other tests of handling entries.
world = handling.world
figures, status = handling.figures, handling.status


def add_entries(team, count, logged_by, start_days_ago=90):
    """`count` entries, each collected a day later than the one before (note "Post k")."""
    first = clock.today() - timedelta(days=start_days_ago)
    entries = [
        factories.make_collection(team, amount_ore=(k + 1) * 100, logged_by=logged_by,
                                  collected_on=first + timedelta(days=k % start_days_ago),
                                  note=f"Post {k:03d}")
        for k in range(count)
    ]
    factories.commit()
    return entries


def rows(html):
    """The ids of the entries in the queue's table, in the order shown."""
    return [int(i) for i in re.findall(r'<tr id="entry-(\d+)"', html)]


# --- paging --------------------------------------------------------------------------------

def test_the_queue_shows_a_page_oldest_first_and_page_two_the_next(world, login):
    added = add_entries(world.team, 60, world.member)
    client = login(world.admin)
    first = client.get("/ledger/queue")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "61 poster väntar." in html  # 60 added and world.entry (today)
    assert rows(html) == [e.id for e in added[:QUEUE_PAGE_SIZE]]
    assert 'rel="next" href="/ledger/queue?page=2"' in html and 'rel="prev"' not in html
    assert "Sida 1 av 2" in html

    html = client.get("/ledger/queue?page=2").get_data(as_text=True)
    assert rows(html) == [e.id for e in added[QUEUE_PAGE_SIZE:]] + [world.entry.id]
    assert "61 poster väntar." in html
    assert 'rel="prev" href="/ledger/queue"' in html and 'rel="next"' not in html
    assert "poster 51–61 av 61" in html


def test_entries_collected_the_same_day_keep_the_order_they_were_logged_in(world, login):
    same_day = [factories.make_collection(world.team, amount_ore=100, logged_by=world.member)
                for _ in range(3)]
    factories.commit()
    html = login(world.admin).get("/ledger/queue").get_data(as_text=True)
    assert rows(html) == [world.entry.id] + [e.id for e in same_day]


def test_paging_keeps_the_workplace_filter(world, login):
    add_entries(world.other_team, 55, world.other_member)
    add_entries(world.team, 5, world.member)
    company = world.other_company.id
    client = login(world.staff)
    html = client.get(f"/ledger/queue?company={company}").get_data(as_text=True)
    assert "56 poster väntar." in html
    assert f'rel="next" href="/ledger/queue?company={company}&amp;page=2"' in html
    html = client.get(f"/ledger/queue?company={company}&page=2").get_data(as_text=True)
    assert len(rows(html)) == 6
    assert "Fikaförsäljning" not in html and "Grannarnas loppis" in html
    assert f'rel="prev" href="/ledger/queue?company={company}"' in html
    # Attest, receive and reject from page 2 come back to page 2 of the same workplace.
    assert f'name="next" value="/ledger/queue?company={company}&amp;page=2"' in html
    assert f'name="company" value="{company}"' in html


@pytest.mark.parametrize("page, shown", [
    ("abc", 1), ("0", 1), ("-1", 1), ("", 1), ("1.5", 1), ("²", 1), ("٣", 1),
    ("2", 2), ("3", 2), ("99999", 2), ("9" * 40, 2),
])
def test_a_bad_or_too_large_page_number_shows_the_first_or_the_last_page(
        world, login, page, shown):
    add_entries(world.team, 60, world.member)
    response = login(world.admin).get("/ledger/queue", query_string={"page": page})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Sida {shown} av 2" in html
    assert len(rows(html)) == (QUEUE_PAGE_SIZE if shown == 1 else 11)


def test_a_bad_workplace_filter_is_no_filter(world, login):
    for value in ("abc", "²", "9" * 40):
        response = login(world.staff).get("/ledger/queue", query_string={"company": value})
        assert response.status_code == 200
        assert len(rows(response.get_data(as_text=True))) == 2


def test_an_empty_queue_says_so_without_a_pager(world, login):
    client = login(world.staff)
    client.post("/ledger/receive", data={"entry_ids": [world.entry.id, world.other_entry.id],
                                         **handling.receipt()})
    html = client.get("/ledger/queue?page=3").get_data(as_text=True)
    assert "Inget väntar just nu." in html
    assert 'class="pager"' not in html and rows(html) == []


@pytest.mark.parametrize("who, url", [
    ("staff", "/ledger/queue"),
    ("staff", "/ledger/queue?page=2"),
    ("staff", "/ledger/queue?company={company}&page=2"),
    ("admin", "/ledger/queue"),
    ("admin", "/ledger/queue?page=2"),
])
def test_every_page_of_the_queue_takes_the_same_number_of_queries(
        world, login, count_queries, who, url):
    client = login(getattr(world, who))
    url = url.format(company=world.company.id)

    def queries_for():
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = queries_for()
    add_entries(world.team, 3 * QUEUE_PAGE_SIZE, world.member)
    many = queries_for()
    assert many == few, "the queue should not query per entry or per page"
    assert many <= 8


# --- attesting and receiving with htmx -------------------------------------------------------

def test_attesting_with_htmx_answers_with_the_row_and_the_new_count(world, login):
    add_entries(world.team, 2, world.member)
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest",
                                       headers=HTMX)
    assert response.status_code == 200
    assert "HX-Redirect" not in response.headers
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="entry-{world.entry.id}" class="queue-handled">')
    assert "<html" not in html and "<body" not in html
    assert "Attesterad" in html and "300\u00a0kr från Fikagänget" in html
    assert 'id="queue-count"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "2 poster väntar." in html  # the workplace's queue: what it has not attested
    assert status(world.entry.id) == "attested"
    assert figures(world.team) == (300_00 + 300, 300_00, 0)
    company = totals.figures("company", world.company.id)
    assert (company.attested_ore, company.received_ore) == (300_00, 0)


def test_receiving_with_htmx_answers_with_the_row_and_the_new_count(world, login):
    response = login(world.staff).post(f"/ledger/entries/{world.entry.id}/receive",
                                       headers=HTMX, data=handling.receipt())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="entry-{world.entry.id}" class="queue-handled">')
    assert "<html" not in html
    assert "Mottagen" in html and "300\u00a0kr från Fikagänget" in html
    assert "1 post väntar." in html
    assert status(world.entry.id) == "received"
    assert figures(world.team) == (300_00, 300_00, 300_00)


def test_receiving_with_htmx_without_a_reference_swaps_the_reason_into_the_row(world, login):
    response = login(world.staff).post(f"/ledger/entries/{world.entry.id}/receive",
                                       headers=HTMX, data=handling.receipt(""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="entry-{world.entry.id}"')
    assert "Skriv en referens" in html
    assert status(world.entry.id) == "pending"


def test_an_htmx_attestation_leaves_no_message_for_the_next_page(world, login):
    client = login(world.admin)
    client.post(f"/ledger/entries/{world.entry.id}/attest", headers=HTMX)
    html = client.get("/ledger/queue").get_data(as_text=True)
    assert "är attesterat" not in html  # the row said it; no flash waits for a reload
    assert "Inget väntar just nu." in html


def test_the_htmx_count_is_of_the_queue_the_page_shows(world, login):
    add_entries(world.other_team, 4, world.other_member)
    client = login(world.staff)
    everything = client.post(f"/ledger/entries/{world.entry.id}/receive", headers=HTMX,
                             data=handling.receipt())
    assert "5 poster väntar." in everything.get_data(as_text=True)
    one = client.post(f"/ledger/entries/{world.other_entry.id}/receive", headers=HTMX,
                      data={"company": world.other_company.id, **handling.receipt()})
    assert "4 poster väntar." in one.get_data(as_text=True)
    last = add_entries(world.team, 1, world.member)[0]
    mine = client.post(f"/ledger/entries/{last.id}/receive", headers=HTMX,
                       data={"company": world.company.id, **handling.receipt()})
    assert "Inget väntar just nu." in mine.get_data(as_text=True)


def test_staff_still_see_what_a_workplace_attested_until_the_money_is_received(world, login):
    login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest")
    html = login(world.staff).get("/ledger/queue").get_data(as_text=True)
    assert "2 poster väntar." in html and "Fikaförsäljning" in html
    assert "Attesterad av arbetsplatsen" in html


def test_attesting_with_htmx_what_someone_else_handled_swaps_a_message_into_the_row(
        world, login):
    login(world.staff).post(f"/ledger/entries/{world.entry.id}/receive",
                            data=handling.receipt())
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest",
                                       headers=HTMX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="entry-{world.entry.id}"')
    assert "<html" not in html
    assert "Posten är redan hanterad och kan inte attesteras igen." in html
    assert "Inget väntar just nu." in html  # the count is corrected too
    assert figures(world.team) == (300_00, 300_00, 300_00)
    assert db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "collection.attest")
    ).scalar_one() == 0


def test_the_queue_rows_attest_and_receive_in_place_and_fall_back_to_a_plain_post(
        world, login):
    html = login(world.admin).get("/ledger/queue").get_data(as_text=True)
    url = f"/ledger/entries/{world.entry.id}/attest"
    assert f'method="post" action="{url}"' in html
    assert f'hx-post="{url}" hx-target="#entry-{world.entry.id}"' in html
    assert 'data-swap-status="403 409"' in html
    assert 'id="queue-count"' in html and 'aria-live="polite"' in html
    assert "/receive" not in html  # receiving is for the mission's staff
    html = login(world.staff).get("/ledger/queue").get_data(as_text=True)
    url = f"/ledger/entries/{world.entry.id}/receive"
    assert f'method="post" action="{url}"' in html
    assert f'hx-post="{url}" hx-target="#entry-{world.entry.id}"' in html
    assert 'data-swap-status="403 409 422"' in html
    assert f'id="reference-{world.entry.id}"' in html


def test_the_queue_says_why_an_admin_may_not_attest_their_own_entry(world, login):
    factories.join_team(world.team, world.admin)
    own = factories.make_collection(world.team, amount_ore=40_00, logged_by=world.admin,
                                    note="Min egen bössa")
    factories.commit()
    html = login(world.admin).get("/ledger/queue").get_data(as_text=True)
    assert "Min egen bössa" in html
    assert f'action="/ledger/entries/{own.id}/attest"' not in html
    assert f'action="/ledger/entries/{world.entry.id}/attest"' in html
    assert "registrerade posten själv" in html


# --- without JavaScript, as before -----------------------------------------------------------

def test_without_htmx_attesting_still_redirects_to_the_page_it_came_from(world, login):
    client = login(world.admin)
    response = client.post(f"/ledger/entries/{world.entry.id}/attest",
                           data={"next": "/ledger/queue?page=2"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ledger/queue?page=2"
    assert status(world.entry.id) == "attested"
    html = client.get("/ledger/queue").get_data(as_text=True)
    assert "300\u00a0kr från Fikagänget är attesterat." in html


def test_without_htmx_receiving_still_redirects_to_the_page_it_came_from(world, login):
    client = login(world.staff)
    response = client.post(f"/ledger/entries/{world.entry.id}/receive",
                           data={"next": "/ledger/queue?page=2", **handling.receipt()})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ledger/queue?page=2"
    assert status(world.entry.id) == "received"
    html = client.get("/ledger/queue").get_data(as_text=True)
    assert "300\u00a0kr från Fikagänget är mottaget av stadsmissionen." in html


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/ledger/",
                                    "/ledger//example.com", "/teams/1", ""])
def test_attesting_goes_back_only_to_a_ledger_page(world, login, target):
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest",
                                       data={"next": target})
    assert response.headers["Location"] == "/ledger/queue"


def test_rejecting_from_a_page_of_the_queue_comes_back_to_it(world, login):
    back = f"/ledger/queue?company={world.company.id}&page=2"
    client = login(world.staff)
    form = client.get(f"/ledger/entries/{world.entry.id}/reject", query_string={"next": back})
    assert form.status_code == 200
    cancel = f'href="/ledger/queue?company={world.company.id}&amp;page=2">Avbryt'
    assert cancel in form.get_data(as_text=True)
    response = client.post(f"/ledger/entries/{world.entry.id}/reject",
                           query_string={"next": back}, data={"reason": "Ingen Swish"})
    assert response.status_code == 303 and response.headers["Location"] == back
    assert status(world.entry.id) == "rejected"
    again = client.post(f"/ledger/entries/{world.entry.id}/reject", data={"reason": "Igen"})
    assert again.status_code == 409


def test_the_reject_form_without_a_page_to_go_back_to_returns_to_the_queue(world, login):
    html = login(world.admin).get(f"/ledger/entries/{world.entry.id}/reject").get_data(
        as_text=True)
    assert 'href="/ledger/queue">Avbryt' in html


# --- permissions ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["member", "other_admin", "other_member"])
def test_with_htmx_too_only_the_workplaces_admins_and_staff_may_attest(world, login, who):
    client = login(getattr(world, who))
    response = client.post(f"/ledger/entries/{world.entry.id}/attest", headers=HTMX)
    assert response.status_code == 403
    response = client.post(f"/ledger/entries/{world.entry.id}/receive", headers=HTMX,
                           data=handling.receipt())
    assert response.status_code == 403
    assert status(world.entry.id) == "pending"
    assert figures(world.team) == (300_00, 0, 0)


def test_with_htmx_an_admin_may_not_attest_their_own_entry(world, login):
    factories.join_team(world.team, world.admin)
    own = factories.make_collection(world.team, amount_ore=40_00, logged_by=world.admin)
    factories.commit()
    response = login(world.admin).post(f"/ledger/entries/{own.id}/attest", headers=HTMX)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="entry-{own.id}"')
    assert "registrerade posten själv" in html
    assert status(own.id) == "pending"


def test_the_paged_queue_is_still_only_for_admins_and_staff(world, login, client):
    assert login(world.member).get("/ledger/queue?page=2").status_code == 403
    assert client.get("/ledger/queue?page=2").status_code == 302
    response = login(world.admin).get(
        f"/ledger/queue?company={world.other_company.id}&page=2")
    assert response.status_code == 403
    html = login(world.admin).get("/ledger/queue?page=2").get_data(as_text=True)
    assert "Grannarnas loppis" not in html and "1 post väntar." in html


# --- two people on the same entry ------------------------------------------------------------

# The other transaction sets the status by hand, without the totals.
@pytest.mark.ledger_tampered
def test_an_entry_received_by_someone_else_at_the_same_moment_is_not_attested(world, login):
    """Another transaction has the entry received but not yet committed: the attest post
    waits for it, then refuses (409) instead of counting the money a second time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite lets one writer in at a time anyway")
    client = login(world.admin)
    answers = []
    with db.engine.connect() as other:
        handled = other.begin()
        other.execute(db.update(LedgerEntry).where(LedgerEntry.id == world.entry.id)
                      .values(status="received"))
        worker = threading.Thread(target=lambda: answers.append(
            client.post(f"/ledger/entries/{world.entry.id}/attest", headers=HTMX)))
        worker.start()
        worker.join(timeout=1)
        assert worker.is_alive(), "the attest post should wait for the other transaction"
        handled.commit()
        worker.join(timeout=30)
    assert answers[0].status_code == 409
    assert "redan hanterad" in answers[0].get_data(as_text=True)
    assert figures(world.team) == (300_00, 0, 0)  # nothing added by the refused post
