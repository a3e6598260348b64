"""Whole pages are rendered once and served again, without anything personal leaking from
one visitor to the next: each gets their own CSRF token, form keys and flashed messages; a
logged-in person's pages are their own, and what they change shows on their next page."""

import re
from datetime import datetime, time

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from tests import factories, statements

TOKEN = re.compile(r'(?:name="csrf_token" value="|"X-CSRFToken": ")([^"]+)"')


@pytest.fixture
def worker(make_app, app_ctx, freeze_clock):
    # One minute on the clock, the board version remembered: a cached page needs nothing
    # from the database.
    freeze_clock(datetime.combine(clock.today(), time(12, 0, 5), tzinfo=clock.zone()))
    return make_app(PAGE_CACHE_SECONDS=60, LEADERBOARD_VERSION_TTL=60,
                    WTF_CSRF_ENABLED=True)


@pytest.fixture
def world(app_ctx):
    captain = factories.make_user(display_name="Maja Kapten", email="maja@example.se")
    company = factories.make_company(name="Kopparlunden AB")
    team = factories.make_team(company, captain=captain, name="Fikagänget")
    factories.make_collection(team, 1_000_00)
    factories.commit()
    return type("World", (), {"team_slug": team.slug, "team_id": team.id,
                              "company_slug": company.slug})


class Statements:
    """The statements the worker sends to its database in the block, as text."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def __enter__(self):
        self._sent = statements.sent(self.engine)
        self._record = self._sent.__enter__()
        return self.seen

    def __exit__(self, *exc):
        self._sent.__exit__(*exc)
        self.seen.extend(statement for statement, _autocommit in self._record)


def _pages(world) -> list[str]:
    return ["/", f"/teams/{world.team_slug}", f"/companies/{world.company_slug}",
            "/goals/ingen-ensamhet", "/leaderboards", "/leaderboards/teams",
            "/leaderboards/tv"]


def _without_token(response) -> str:
    page = response.get_data(as_text=True)
    tokens = set(TOKEN.findall(page))
    assert len(tokens) <= 1  # the page's forms and htmx's header carry one token, if any
    return page.replace(tokens.pop(), "") if tokens else page


def test_a_second_visitor_gets_the_page_without_the_database(worker, world):
    for url in _pages(world):
        first = worker.test_client().get(url)
        assert first.status_code == 200, url
        with Statements(worker) as statements:
            again = worker.test_client().get(url)
        assert again.status_code == 200
        assert statements == [], url
        # The same page but for the token, which is each visitor's own.
        assert _without_token(again) == _without_token(first), url


def test_each_visitor_gets_a_token_of_their_own_that_works(worker, world):
    url = f"/teams/{world.team_slug}"
    worker.test_client().get(url)  # the page is now cached
    visitor = worker.test_client()
    page = visitor.get(url).get_data(as_text=True)
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1
    assert "csrf-" not in page  # no placeholder left behind
    # The token is this visitor's: the language switch (a CSRF-protected form) accepts it.
    answer = visitor.post("/lang/en", data={"csrf_token": tokens.pop(), "next": url})
    assert answer.status_code == 303
    # Another visitor's token is refused for this one.
    other_token = TOKEN.search(worker.test_client().get(url).get_data(as_text=True)).group(1)
    refused = visitor.post("/lang/sv", data={"csrf_token": other_token, "next": url})
    assert refused.status_code == 400


def test_new_money_shows_at_once(worker, world):
    url = f"/teams/{world.team_slug}"
    before = worker.test_client().get(url).get_data(as_text=True)
    assert "1\u00a0000\u00a0kr" in before or "1 000 kr" in before
    with worker.app_context():
        from lokalamal_app.leaderboards import queries
        from lokalamal_app.models import Team

        factories.make_collection(db.session.get(Team, world.team_id), 500_00)
        factories.commit()
        queries.board_cache.versions.clear()  # as the version's second would have passed
    after = worker.test_client().get(url).get_data(as_text=True)
    assert "1\u00a0500\u00a0kr" in after or "1 500 kr" in after


def _logged_in(worker, email: str):
    person = worker.test_client()
    login_page = person.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert person.post("/login", data={"email": email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return person


def _token(page: str) -> str:
    return TOKEN.search(page).group(1)


def test_a_logged_in_member_never_gets_the_visitors_page(worker, world):
    url = f"/teams/{world.team_slug}"
    worker.test_client().get(url)
    member = _logged_in(worker, "maja@example.se")
    page = member.get(url).get_data(as_text=True)
    assert "Logga ut" in page and "Logga in" not in page


@pytest.fixture
def teammate(world, app_ctx):
    from lokalamal_app.models import Team

    team = db.session.get(Team, world.team_id)
    person = factories.make_user(display_name="Sam Kollega", email="sam@example.se")
    factories.add_member(team.company, person)
    factories.join_team(team, person)
    factories.commit()
    return person


def test_a_members_page_again_needs_only_their_own_lookup(worker, world, teammate):
    url = f"/teams/{world.team_slug}"
    member = _logged_in(worker, "sam@example.se")
    first = member.get(url)
    with Statements(worker) as statements:
        again = member.get(url)
    assert again.status_code == 200
    queries = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    assert len(queries) == 1 and "FROM user" in queries[0].replace('"', "")  # who is logged in
    key = re.compile(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"')
    assert _without_token(again).replace(key.search(again.get_data(as_text=True)).group(1), "") \
        == _without_token(first).replace(key.search(first.get_data(as_text=True)).group(1), "")


def test_members_never_get_each_others_pages(worker, world, teammate):
    url = f"/teams/{world.team_slug}"
    captain = _logged_in(worker, "maja@example.se")
    assert "För lagkaptenen" in captain.get(url).get_data(as_text=True)
    page = _logged_in(worker, "sam@example.se").get(url).get_data(as_text=True)
    assert "Sam Kollega" in page and "För lagkaptenen" not in page
    visitor = worker.test_client().get(url).get_data(as_text=True)
    assert "Logga in" in visitor and "Lämna laget" not in visitor


def test_what_a_member_changes_shows_on_their_next_page_at_once(worker, world):
    url = f"/teams/{world.team_slug}"
    captain = _logged_in(worker, "maja@example.se")
    assert "Bakar för Västerås" not in captain.get(url).get_data(as_text=True)
    edit = captain.get(f"{url}/edit").get_data(as_text=True)
    answer = captain.post(f"{url}/edit", data={
        "csrf_token": _token(edit), "name": "Fikagänget", "goal": "3", "target": "",
        "pitch": "Bakar för Västerås"})
    assert answer.status_code in (302, 303)
    assert captain.get(url).status_code == 200  # the page with the flashed message
    assert "Bakar för Västerås" in captain.get(url).get_data(as_text=True)


def test_every_answer_has_its_own_log_key_and_each_logs_once(worker, world, teammate):
    url = f"/teams/{world.team_slug}"
    member = _logged_in(worker, "sam@example.se")
    pages = [member.get(url).get_data(as_text=True) for _ in range(2)]
    key = re.compile(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"')
    keys = [key.search(page).group(1) for page in pages]
    assert keys[0] != keys[1]
    for page, one_key in zip(pages, keys, strict=True):
        answer = member.post(f"/teams/{world.team_id}/collections", data={
            "csrf_token": _token(page), "idempotency_key": one_key, "amount": "100",
            "collected_on": clock.today().isoformat(), "method": "swish", "note": ""})
        assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
    with worker.app_context():
        from lokalamal_app.ledger import totals

        assert totals.figures("team", world.team_id).reported_ore == 1_000_00 + 2 * 100_00


def test_a_cookie_that_changes_the_page_keeps_pages_apart(worker, world):
    from lokalamal_app import page_cache
    from lokalamal_app.activities.routes import BROWSER_COOKIE

    url = "/challenges/1"
    with worker.test_request_context(url, headers={"Cookie": f"{BROWSER_COOKIE}=a"}):
        first = page_cache._key()
    with worker.test_request_context(url, headers={"Cookie": f"{BROWSER_COOKIE}=b"}):
        assert page_cache._key() != first


def test_a_flashed_message_reaches_only_its_visitor(worker, world):
    url = "/"
    worker.test_client().get(url)
    flashed = worker.test_client()
    with flashed.session_transaction() as session:
        session["_flashes"] = [("info", "Bara till dig.")]
    assert "Bara till dig." in flashed.get(url).get_data(as_text=True)
    assert "Bara till dig." not in worker.test_client().get(url).get_data(as_text=True)
    # Shown once, then gone, as without the cache.
    assert "Bara till dig." not in flashed.get(url).get_data(as_text=True)


def _set_pitch(person, url: str, pitch: str) -> None:
    edit = person.get(f"{url}/edit").get_data(as_text=True)
    answer = person.post(f"{url}/edit", data={
        "csrf_token": _token(edit), "name": "Fikagänget", "goal": "3", "target": "",
        "pitch": pitch})
    assert answer.status_code in (302, 303)
    person.get(url)  # the page with the flashed message, never cached


def test_one_persons_two_devices_each_see_their_own_last_change(worker, world):
    url = f"/teams/{world.team_slug}"
    phone = _logged_in(worker, "maja@example.se")
    laptop = _logged_in(worker, "maja@example.se")
    _set_pitch(phone, url, "Bakar bullar")
    assert "Bakar bullar" in phone.get(url).get_data(as_text=True)  # now cached for the phone
    _set_pitch(laptop, url, "Säljer kakor")
    assert "Säljer kakor" in laptop.get(url).get_data(as_text=True)


def test_a_made_up_host_never_reaches_other_visitors(worker, world):
    url = "/goals/ingen-ensamhet"
    worker.test_client().get(url, headers={"Host": "evil.example"})
    page = worker.test_client().get(url).get_data(as_text=True)
    assert "evil.example" not in page


@pytest.fixture
def fresh_worker(make_app, app_ctx, freeze_clock):
    """A worker that keeps pages for a minute but reads the board version every time."""
    freeze_clock(datetime.combine(clock.today(), time(12, 0, 5), tzinfo=clock.zone()))
    return make_app(PAGE_CACHE_SECONDS=60, LEADERBOARD_VERSION_TTL=0, WTF_CSRF_ENABLED=True)


def test_a_member_taken_out_of_the_team_is_not_shown_its_page_again(fresh_worker, world,
                                                                     teammate):
    """The captain removes Sam: Sam's next team page, cached a moment ago with the log form
    and the invite link, is rendered again without them."""
    url = f"/teams/{world.team_slug}"
    sam = _logged_in(fresh_worker, "sam@example.se")
    before = sam.get(url).get_data(as_text=True)
    assert 'name="idempotency_key"' in before and "/join/" in before
    captain = _logged_in(fresh_worker, "maja@example.se")
    ask = captain.get(f"{url}/members/{teammate.id}/remove").get_data(as_text=True)
    removed = captain.post(f"{url}/members/{teammate.id}/remove",
                           data={"csrf_token": _token(ask)})
    assert removed.status_code in (302, 303)
    after = sam.get(url).get_data(as_text=True)
    assert 'name="idempotency_key"' not in after and "/join/" not in after


def test_staff_whose_rights_are_taken_back_are_not_shown_staff_pages_again(
        fresh_worker, world, teammate):
    from lokalamal_app.models import User
    from lokalamal_app.staff import services as staff_services

    url = f"/companies/{world.company_slug}"
    staff = factories.make_user(email="stina@example.se", is_staff=True)
    factories.commit()
    stina = _logged_in(fresh_worker, "stina@example.se")
    before = stina.get(url).get_data(as_text=True)
    assert "/join/" in before  # staff see every workplace's invite links
    staff_services.revoke_staff(db.session.get(User, staff.id),
                                factories.make_user(is_staff=True))
    db.session.commit()
    assert "/join/" not in stina.get(url).get_data(as_text=True)


def test_who_may_do_what_moves_the_board_version(app_ctx, world, teammate):
    from lokalamal_app.ledger import totals
    from lokalamal_app.models import Membership, User

    before = totals.board_version()
    membership = db.session.execute(db.select(Membership).where(
        Membership.user_id == teammate.id)).scalar_one()
    membership.role = "admin"
    db.session.commit()
    assert totals.board_version() > before
    unchanged = totals.board_version()
    db.session.get(User, teammate.id).display_name = "Sam K."  # not a right
    db.session.commit()
    assert totals.board_version() == unchanged
