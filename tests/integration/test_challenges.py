"""Challenges through the test client: propose, answer, withdraw, the pages and the rules."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from flask import render_template

from lokalamal_app import clock
from lokalamal_app.challenges import services
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import Challenge, ChallengeParticipant, Notification
from tests import factories
from tests.challenge_helpers import people_logging, running, settle_day, workplace

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))


def _form(challenger, opponent_name="", neighbours=(), start=0, end=14, **extra):
    data = {
        "challenger": str(challenger.id),
        "opponent": opponent_name,
        "starts_on": (TODAY + timedelta(days=start)).isoformat() if start is not None else "",
        "ends_on": (TODAY + timedelta(days=end)).isoformat() if end is not None else "",
        "measure": "total",
        "goal": "0",
        "greeting": "Hej grannar, nu kör vi!",
    }
    if neighbours:
        data["neighbours"] = [str(c.id) for c in neighbours]
    data.update(extra)
    return data


def _count(model=Challenge):
    return db.session.execute(db.select(db.func.count(model.id))).scalar_one()


def test_an_admin_challenges_a_neighbour_by_name(login, app_ctx):
    a, admin_a = workplace(name="Kopparlunden Teknik AB")
    b, admin_b = workplace(name="Lundby Design AB")
    factories.commit()
    response = login(admin_a).post("/challenges/new", data=_form(a, "lundby design ab"))
    assert response.status_code == 302
    challenge = db.session.execute(db.select(Challenge)).scalar_one()
    assert response.headers["Location"] == f"/challenges/{challenge.id}"
    assert challenge.status == "proposed" and challenge.challenger_id == a.id
    assert {p.company_id: p.status for p in challenge.participants} == {
        a.id: "accepted", b.id: "invited"}
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == admin_b.id)).scalar_one()


def test_the_form_suggests_neighbours_and_a_checked_neighbour_is_challenged(login, app_ctx):
    a, admin_a = workplace(name="Kopparlunden Teknik AB", street="Kopparbergsvägen 17")
    b, _ = workplace(name="Lundby Design AB", street="Kopparbergsvägen 17")
    factories.commit()
    client = login(admin_a)
    html = client.get("/challenges/new").get_data(as_text=True)
    assert "Lundby Design AB (samma adress)" in html
    assert client.post("/challenges/new", data=_form(a, neighbours=[b])).status_code == 302
    assert _count() == 1


BAD = [
    ("own", dict(start=0, end=10), "Ni kan inte utmana er egen arbetsplats."),
    ("missing", dict(start=0, end=10), "Vi hittar ingen arbetsplats med det namnet."),
    ("none", dict(start=0, end=10), "Välj minst en arbetsplats att utmana."),
    ("other", dict(start=5, end=2), "Slutdatumet måste vara samma dag som startdatumet eller senare."),
    ("other", dict(start=-1, end=10), "Utmaningen kan inte börja i det förflutna."),
    ("other", dict(start=0, end=400), "En utmaning får pågå i högst ett år."),
    ("other", dict(start=None, end=10), "Ange ett startdatum."),
    ("other", dict(greeting="x" * 281), "Hälsningen får vara högst 280 tecken."),
    ("other", dict(starts_on="i morgon"), "Skriv datumet som ÅÅÅÅ-MM-DD."),
    ("other", dict(starts_on="0001-01-01"), "för långt bak i tiden"),
    ("other", dict(ends_on="2999-12-31"), "för långt fram i tiden"),
]


@pytest.mark.parametrize("who, changes, message", BAD)
def test_bad_challenges_are_refused_with_a_message_and_nothing_saved(login, app_ctx, who,
                                                                     changes, message):
    a, admin_a = workplace(name="Hemma AB")
    workplace(name="Grannen AB")
    factories.commit()
    name = {"own": "Hemma AB", "missing": "Finns Inte AB", "none": "", "other": "Grannen AB"}[who]
    data = _form(a, name, **{k: v for k, v in changes.items() if k in ("start", "end")})
    data.update({k: v for k, v in changes.items() if k not in ("start", "end")})
    response = login(admin_a).post("/challenges/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{name}"' in html  # what they typed is kept
    assert _count() == 0 and _count(ChallengeParticipant) == 0


def test_a_second_overlapping_challenge_between_the_same_workplaces_is_refused(login, app_ctx):
    a, admin_a = workplace(name="Hemma AB")
    b, admin_b = workplace(name="Grannen AB")
    running(a, admin_a, [(b, admin_b)], days=20)
    factories.commit()
    response = login(admin_b).post("/challenges/new", data=_form(b, "Hemma AB", start=3, end=9))
    assert response.status_code == 409
    assert "överlappar" in response.get_data(as_text=True)
    assert _count() == 1


def test_only_workplace_admins_may_challenge(login, client, app_ctx):
    a, _ = workplace()
    member = factories.make_user()
    factories.add_member(a, member)
    factories.commit()
    assert login(member).get("/challenges/new").status_code == 403
    assert login(member).post("/challenges/new", data=_form(a, "x")).status_code == 403
    assert client.get("/challenges/new").status_code == 302  # to the login page
    assert _count() == 0


def test_an_admin_cannot_challenge_for_a_workplace_they_do_not_run(login, app_ctx):
    a, admin_a = workplace(name="Hemma AB")
    b, _ = workplace(name="Grannen AB")
    c, _ = workplace(name="Tredje AB")
    factories.commit()
    response = login(admin_a).post("/challenges/new", data=_form(b, "Tredje AB"))
    assert response.status_code == 422
    assert _count() == 0


def test_nothing_is_public_before_acceptance(login, client, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    outsider_admin = workplace()[1]
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    url = f"/challenges/{challenge.id}"
    assert client.get(url).status_code == 404
    assert login(outsider_admin).get(url).status_code == 404
    assert client.get(url + "/live").status_code == 404
    assert client.get(url + "/tv").status_code == 404
    html = login(admin_b).get(url).get_data(as_text=True)
    assert "Anta utmaningen" in html and "Tacka nej" in html
    assert a.name not in client.get("/challenges").get_data(as_text=True)


def test_the_challenged_admin_accepts_with_a_reply_and_the_page_goes_public(login, client,
                                                                              app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    response = login(admin_b).post(f"/challenges/{challenge.id}/accept",
                                   data={"company": str(b.id), "reply": "<b>Kör!</b>"})
    assert response.status_code == 302
    db.session.expire_all()
    assert challenge.status == "accepted"
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "&lt;b&gt;Kör!&lt;/b&gt;" in html  # shown escaped
    assert "Preliminärt" in html
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == admin_a.id)).scalar_one()


def test_declining_is_told_to_the_challenger_and_stays_private(login, client, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    response = login(admin_b).post(f"/challenges/{challenge.id}/decline",
                                   data={"reply": "Inte i år"})
    assert response.status_code == 302
    db.session.expire_all()
    assert challenge.status == "declined"
    assert client.get(f"/challenges/{challenge.id}").status_code == 404


def test_answering_as_a_member_who_is_not_admin_is_forbidden(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    member = factories.make_user()
    factories.add_member(b, member)
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    for action in ("accept", "decline"):
        assert login(member).post(f"/challenges/{challenge.id}/{action}").status_code == 404
    db.session.expire_all()
    assert challenge.status == "proposed"


def test_the_challenger_cannot_answer_their_own_challenge(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    assert login(admin_a).post(f"/challenges/{challenge.id}/accept").status_code == 403


def test_accepting_twice_is_a_conflict(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    client = login(admin_b)
    assert client.post(f"/challenges/{challenge.id}/accept").status_code == 302
    response = client.post(f"/challenges/{challenge.id}/decline")
    assert response.status_code == 409
    assert "redan svarat" in response.get_data(as_text=True)
    db.session.expire_all()
    assert challenge.status == "accepted"


def test_a_withdrawn_challenge_cannot_be_accepted(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    assert login(admin_a).post(f"/challenges/{challenge.id}/withdraw").status_code == 302
    response = login(admin_b).post(f"/challenges/{challenge.id}/accept")
    assert response.status_code == 409
    assert "återkallad" in response.get_data(as_text=True)
    db.session.expire_all()
    assert challenge.status == "withdrawn"


def test_only_the_challenger_may_withdraw_and_only_before_acceptance(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    factories.commit()
    assert login(admin_b).post(f"/challenges/{challenge.id}/withdraw").status_code == 403
    response = login(admin_a).post(f"/challenges/{challenge.id}/withdraw")
    assert response.status_code == 409
    db.session.expire_all()
    assert challenge.status == "accepted"


def test_a_reply_over_the_limit_is_refused(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    response = login(admin_b).post(f"/challenges/{challenge.id}/accept",
                                   data={"reply": "x" * 281})
    assert response.status_code == 422
    assert "Svaret får vara högst 280 tecken." in response.get_data(as_text=True)
    db.session.expire_all()
    assert challenge.status == "proposed"


def test_unknown_challenges_are_404(login, client, app_ctx):
    _a, admin_a = workplace()
    factories.commit()
    assert client.get("/challenges/999").status_code == 404
    assert login(admin_a).post("/challenges/999/accept").status_code == 404


def test_head_to_head_page_shows_figures_lead_chart_and_top_teams(client, app_ctx):
    a, admin_a = workplace(name="Stora Huset AB", headcount=50)
    b, admin_b = workplace(name="Lilla Kontoret AB", headcount=5)
    challenge = running(a, admin_a, [(b, admin_b)], measure="per_employee")
    team_a, _ = people_logging(a, 2, amount_ore=500_00)    # 1 000 kr / 50 = 20 kr
    team_b, _ = people_logging(b, 1, amount_ore=300_00)    # 300 kr / 5 = 60 kr
    factories.commit()
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert html.index("Lilla Kontoret AB") < html.index("Stora Huset AB", html.index("challenge-live"))
    assert "Lilla Kontoret AB leder med 40\u00a0kr per anställd" in html
    assert "60\u00a0kr per anställd" in html and "20\u00a0kr per anställd" in html
    assert "dagar kvar" in html and "Preliminärt" in html
    assert "<svg" in html and "chart-line" in html and "<table>" in html
    assert team_a.name in html and team_b.name in html
    assert f'data-copy="http://localhost/challenges/{challenge.id}"' in html
    assert "style=" not in html and "<script>" not in html


def test_live_part_answers_204_until_something_changes(shared_app, shared_ctx):
    client = shared_app.test_client()
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    factories.commit()
    version = totals.board_version()
    url = f"/challenges/{challenge.id}/live?v={version}"
    unchanged = client.get(url)
    assert unchanged.status_code == 204 and unchanged.data == b""
    factories.make_collection(factories.make_team(a), amount_ore=123_00)
    factories.commit()
    changed = client.get(url)
    assert changed.status_code == 200
    assert "123\u00a0kr" in changed.get_data(as_text=True)
    assert f"v={totals.board_version()}" in changed.get_data(as_text=True)
    assert client.get(f"/challenges/{challenge.id}/tv/live?v={totals.board_version()}"
                      ).status_code == 204


def test_tv_mode_is_full_screen_without_nav_or_inline_code(client, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    factories.commit()
    html = client.get(f"/challenges/{challenge.id}/tv").get_data(as_text=True)
    assert 'class="tv-mode"' in html
    assert "Huvudmeny" not in html and "site-footer" not in html
    assert "Senast uppdaterat" in html and "Ingen kontakt med servern" in html
    assert re.search(r"/static/js/challenges-tv\.[0-9a-f]+\.js", html)
    assert "style=" not in html and "<script>" not in html


def test_print_qr_code_is_a_png(client, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    factories.commit()
    response = client.get(f"/challenges/{challenge.id}/qr.png")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_finished_challenge_is_settled_by_the_command_and_offers_a_rematch(
        app, login, client, app_ctx, freeze_clock):
    a, admin_a = workplace(name="Hemma AB")
    b, admin_b = workplace(name="Grannen AB")
    challenge = running(a, admin_a, [(b, admin_b)])
    # Attested by the workplace, but never received: it does not decide the result.
    people_logging(a, 1, amount_ore=900_00, status="attested")
    people_logging(b, 1, amount_ore=200_00, status="received")
    factories.commit()
    day = settle_day(challenge, app)
    freeze_clock(datetime.combine(day, time(12), tzinfo=clock.zone()))
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Preliminärt" in html and "vann" not in html  # viewing settles nothing
    result = app.test_cli_runner().invoke(args=["settle-challenges"])
    assert "Avgjorda utmaningar: 1." in result.output
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Grannen AB vann" in html
    assert "pengar som har kommit in till stadsmissionen" in html
    db.session.expire_all()
    assert challenge.winner_id == b.id and challenge.settled_at is not None
    admin = login(admin_a)
    page = admin.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Föreslå en revansch" in page
    form = admin.get(f"/challenges/new?rematch={challenge.id}").get_data(as_text=True)
    assert re.search(rf'<input checked id="neighbours-\d+" name="neighbours" '
                     rf'type="checkbox" value="{b.id}">', form)
    data = {"challenger": str(a.id), "neighbours": [str(b.id)], "starts_on": day.isoformat(),
            "ends_on": (day + timedelta(days=7)).isoformat(), "measure": "total", "goal": "0",
            "greeting": "Revansch!", "rematch_of": str(challenge.id)}
    assert admin.post("/challenges/new", data=data).status_code == 302
    rematch = db.session.execute(
        db.select(Challenge).where(Challenge.rematch_of_id == challenge.id)).scalar_one()
    assert rematch.status == "proposed"


def test_settle_challenges_command(app, runner, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], days=1)
    challenge.starts_on = challenge.ends_on = TODAY - timedelta(
        days=app.config["CHALLENGE_RECONCILE_DAYS"] + 1)
    factories.commit()
    result = runner.invoke(args=["settle-challenges"])
    assert "Avgjorda utmaningar: 1." in result.output
    db.session.expire_all()
    assert challenge.settled_at is not None


def test_htmx_posts_get_hx_redirect(login, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    factories.commit()
    response = login(admin_b).post(f"/challenges/{challenge.id}/accept",
                                   headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == f"/challenges/{challenge.id}"


def test_partials_for_workplace_and_leaderboard_pages(app, login, app_ctx):
    a, admin_a = workplace(name="Hemma AB")
    b, admin_b = workplace(name="Grannen AB")
    c, admin_c = workplace(name="Tredje AB")
    running(a, admin_a, [(b, admin_b)])
    running(c, admin_c, [(a, admin_a)], accept=False)
    factories.commit()
    with app.test_request_context("/"):
        html = render_template("challenges/_for_company.html", company=a)
        assert "Grannen AB" in html and "Tredje AB" not in html  # the proposal is private
        board = render_template("challenges/_running_list.html")
        assert "Hemma AB mot Grannen AB" in board and "Tredje AB" not in board
        empty = render_template("challenges/_for_company.html", company=c)
        assert "har ingen pågående utmaning" in empty
        assert "Utmana en granne" not in html  # a visitor may not challenge
    admin_view = login(admin_c).get(f"/challenges/new?from={c.id}").get_data(as_text=True)
    assert f'<input type="hidden" name="challenger" value="{c.id}">' in admin_view


def test_the_challenges_list_shows_running_and_finished(client, app, app_ctx):
    a, admin_a = workplace(name="Hemma AB")
    b, admin_b = workplace(name="Grannen AB")
    challenge = running(a, admin_a, [(b, admin_b)])
    services.settle_challenge(challenge, settle_day(challenge, app))
    factories.commit()
    html = client.get("/challenges").get_data(as_text=True)
    assert "Avgjorda" in html and "Hemma AB mot Grannen AB" in html


def test_the_page_needs_the_same_few_queries_however_much_was_collected(client, app_ctx,
                                                                          count_queries):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    people_logging(a, 1)
    factories.commit()
    with count_queries() as few:
        assert client.get(f"/challenges/{challenge.id}").status_code == 200
    for company in (a, b):
        for _ in range(2):
            people_logging(company, 2)
    factories.commit()
    with count_queries() as many:
        assert client.get(f"/challenges/{challenge.id}").status_code == 200
    assert many.count == few.count
    # The standings and their teams, the milestones, the activities, the scoring and the
    # rounds each take a query or two, whatever the size.
    assert many.count <= 17


def test_a_running_challenge_has_share_links_card_tags_and_a_preview_image(client, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    factories.commit()
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert 'property="og:image"' in html and f"/share/preview/challenge/{challenge.id}.png" in html
    assert "facebook.com/sharer" in html and "linkedin.com/sharing" in html
    image = client.get(f"/share/preview/challenge/{challenge.id}.png")
    assert image.status_code == 200 and image.data[:4] == b"\x89PNG"
    assert client.get("/share/preview/challenge/99999.png").status_code == 404


def test_viewing_a_due_challenge_writes_nothing_and_leaves_it_unsettled(
        app, client, app_ctx, freeze_clock, count_queries):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    people_logging(b, 1, amount_ore=200_00, status="received")
    factories.commit()
    day = settle_day(challenge, app)
    freeze_clock(datetime.combine(day, time(12), tzinfo=clock.zone()))
    with count_queries() as counter:
        for path in ("", "/live", "/tv", "/tv/live", "/qr.png"):
            assert client.get(f"/challenges/{challenge.id}{path}").status_code == 200, path
    writes = [sql for sql in counter.statements
              if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    db.session.expire_all()
    assert challenge.settled_at is None and challenge.winner_id is None


def test_the_page_says_which_headcount_a_per_employee_challenge_is_counted_on(client,
                                                                             app_ctx):
    a, admin_a = workplace(headcount=12)
    b, admin_b = workplace(headcount=30)
    challenge = running(a, admin_a, [(b, admin_b)], measure="per_employee")
    a.headcount = 3
    factories.commit()
    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Räknat på 12 anställda" in html and "Räknat på 30 anställda" in html
    assert "Räknat på 3 anställda" not in html
