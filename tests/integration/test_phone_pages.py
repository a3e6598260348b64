"""The challenge page links both workplaces and their teams; the team page puts what a
member does most first; the staff overview and the queue count the same; each side of the
demo challenge has its own demo people."""

from lokalamal_app import demo
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import Challenge, ChallengeParticipant, Membership, User
from tests import challenge_helpers, factories


def test_the_challenge_page_links_both_workplaces_and_their_teams(client, app_ctx):
    company, admin = challenge_helpers.workplace(name="Västra Huset AB")
    rival, rival_admin = challenge_helpers.workplace(name="Östra Huset AB")
    challenge = challenge_helpers.running(company, admin, [(rival, rival_admin)])
    ours = factories.make_team(company, name="Ett mycket långt lagnamn som aldrig tar slut")
    theirs = factories.make_team(rival, name="Grannlaget")
    factories.make_collection(ours, amount_ore=300_00)
    factories.make_collection(theirs, amount_ore=200_00)
    factories.commit()

    html = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)

    for workplace in (company, rival):
        assert f'href="/companies/{workplace.slug}"' in html
        assert f'href="/leaderboards/companies/{workplace.slug}/teams"' in html
    for team in (ours, theirs):
        assert f'href="/teams/{team.slug}"' in html
    assert '<span class="name-amount"><span class="name">' in html


def test_the_captains_team_page_puts_total_position_and_logging_first_and_folds_the_rest(
        login, app_ctx):
    company = factories.make_company(name="Ordningen AB")
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain, name="Förstalaget", target_ore=1000_00)
    factories.make_team(company, name="Andralaget")
    factories.make_collection(team, amount_ore=250_00, logged_by=captain)
    factories.commit()

    html = login(captain).get(f"/teams/{team.slug}").get_data(as_text=True)

    total = html.index(f'id="team-{team.id}-total"')
    position = html.index('class="team-position"')
    form = html.index(f'id="team-{team.id}-log"')
    first_fold = html.index('<details class="fold')
    assert total < position < form < first_fold
    assert "Plats <strong>1</strong> av 2" in html
    assert "<progress" in html[total:position]
    for summary in ("Senast insamlat", "I laget (1)", "För lagkaptenen", "Bjud in kollegor",
                    "Dela laget"):
        assert html.index(summary) > first_fold, summary


def test_a_visitor_sees_how_to_give_unfolded(client, app_ctx):
    from lokalamal_app import settings

    settings.put("swish_number", "1234567890")
    team = factories.make_team(factories.make_company())
    factories.commit()

    html = client.get(f"/teams/{team.slug}").get_data(as_text=True)

    assert '<details class="fold fold-give" open>' in html


def test_the_overview_and_the_queue_count_the_same_entries_in_every_status(login, app_ctx):
    staff = factories.make_user(is_staff=True, display_name="Stina Stab")
    company = factories.make_company()
    member = factories.make_user()
    team = factories.make_team(company, captain=member)
    for status in ("pending", "attested", "received"):
        factories.make_collection(team, amount_ore=100_00, logged_by=member, status=status)
    rejected = factories.make_collection(team, amount_ore=110_00, logged_by=member)
    ledger.reject_entry(rejected, staff, "Finns inte på kontot.")
    withdrawn = factories.make_collection(team, amount_ore=120_00, logged_by=member)
    ledger.withdraw_entry(withdrawn, member)
    corrected = factories.make_collection(team, amount_ore=130_00, logged_by=member,
                                          status="attested")
    ledger.correct_entry(corrected, staff, 140_00, corrected.collected_on, "swish", "",
                         "Fel belopp.")
    factories.make_collection(team, amount_ore=9_000_00, method="cash", logged_by=member)
    factories.commit()
    client = login(staff)

    overview = client.get("/staff").get_data(as_text=True)
    queue = client.get("/ledger/queue").get_data(as_text=True)

    shown = overview.split('<span class="figure-value">')[3].split("<")[0]
    # pending, attested and the correction wait; received, rejected, withdrawn and the
    # uncounted cash do not
    assert shown == "3"
    assert "3 poster väntar." in queue


def test_each_side_of_the_demo_challenge_has_its_own_demo_people(app, app_ctx):
    with app.app_context():
        demo.load()
        factories.commit()
    # The demo challenge of the demo admin's workplace (the demo has other challenges too).
    admin_company = db.session.execute(
        db.select(Membership.company_id).join(User, User.id == Membership.user_id)
        .where(User.email == "admin@demo.lokalamal.se")).scalar_one()
    challenge = db.session.execute(
        db.select(Challenge).join(ChallengeParticipant,
                                  ChallengeParticipant.challenge_id == Challenge.id)
        .where(Challenge.settled_at.is_(None), Challenge.status == "accepted",
               ChallengeParticipant.company_id == admin_company)
        .order_by(Challenge.id)).scalars().first()
    sides = [p.company_id for p in db.session.execute(
        db.select(ChallengeParticipant).where(ChallengeParticipant.challenge_id == challenge.id)
    ).scalars()]
    members = {}
    for user_id, company_id in db.session.execute(
            db.select(Membership.user_id, Membership.company_id)
            .where(Membership.company_id.in_(sides))).all():
        members.setdefault(user_id, set()).add(company_id)
    assert not [u for u, places in members.items() if len(places) > 1]
    demo_people = {u.email: u.id for u in db.session.execute(
        db.select(User).where(User.email.in_([a.email for a in demo.DEMO_ACCOUNTS]))).scalars()}
    ours, theirs = sides if members[demo_people["admin@demo.lokalamal.se"]] == {sides[0]} \
        else sides[::-1]
    for email in ("admin@demo.lokalamal.se", "kapten@demo.lokalamal.se",
                  "medarbetare@demo.lokalamal.se"):
        assert members[demo_people[email]] == {ours}, email
    for email in ("granne-admin@demo.lokalamal.se", "granne@demo.lokalamal.se"):
        assert members[demo_people[email]] == {theirs}, email
