"""The home page shows what is going on: running challenges, the campaign's best teams and
workplaces, the latest collections (teams and sums, never people), how to give and how to
become a partner."""

import re

from lokalamal_app import settings
from lokalamal_app.ledger import services as ledger
from tests import challenge_helpers, factories


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_running_challenge_shows_both_workplaces_with_their_figures(client, app_ctx):
    company, admin = challenge_helpers.workplace(name="Kopparverket AB")
    rival, rival_admin = challenge_helpers.workplace(name="Grannhuset AB")
    factories.make_collection(factories.make_team(company), amount_ore=1_500_00)
    factories.make_collection(factories.make_team(rival), amount_ore=400_00)
    challenge = challenge_helpers.running(company, admin, [(rival, rival_admin)])
    factories.commit()

    html = _home(client)

    assert "Vägg i vägg just nu" in html
    assert f'href="/companies/{company.slug}"' in html
    assert f'href="/companies/{rival.slug}"' in html
    assert "1\u00a0500\u00a0kr" in html and "400\u00a0kr" in html
    assert "Kopparverket AB leder med 1\u00a0100\u00a0kr." in html
    assert f'href="/challenges/{challenge.id}"' in html


def test_a_challenge_not_yet_accepted_is_not_on_the_home_page(client, app_ctx):
    company, admin = challenge_helpers.workplace(name="Frågande AB")
    rival, rival_admin = challenge_helpers.workplace(name="Tveksamma AB")
    challenge_helpers.running(company, admin, [(rival, rival_admin)], accept=False)
    factories.commit()

    html = _home(client)

    assert "Vägg i vägg just nu" not in html
    assert "Tveksamma AB" not in html


def test_the_best_teams_and_workplaces_of_the_campaign_are_listed_best_first(client, app_ctx):
    company = factories.make_company(name="Toppbolaget AB")
    other = factories.make_company(name="Tvåan AB")
    factories.make_collection(factories.make_team(company, name="Guldlaget"), amount_ore=900_00)
    factories.make_collection(factories.make_team(other, name="Silverlaget"), amount_ore=300_00)
    factories.commit()

    html = _home(client)
    teams = html[html.index("Bästa lagen"):html.index("Bästa arbetsplatserna")]
    places = html[html.index("Bästa arbetsplatserna"):]

    assert teams.index("Guldlaget") < teams.index("Silverlaget")
    assert places.index("Toppbolaget AB") < places.index("Tvåan AB")
    assert "Lokala mål 2026" in html  # the running campaign, by name


def test_the_latest_collections_name_teams_and_sums_but_never_people(client, app_ctx):
    company = factories.make_company()
    giver = factories.make_user(display_name="Hemliga Hanna", show_name=True)
    team = factories.make_team(company, captain=giver, name="Bakverket")
    factories.make_collection(team, amount_ore=275_00, logged_by=giver)
    taken_back = factories.make_team(company, name="Felsteget")
    oops = factories.make_collection(taken_back, amount_ore=1_00, logged_by=giver)
    ledger.withdraw_entry(oops, giver)
    factories.commit()

    html = _home(client)
    latest = html[html.index("Senast insamlat"):html.index("De fem lokala målen")]

    assert "Bakverket" in latest and "275\u00a0kr" in latest
    assert "Felsteget" not in latest  # a withdrawn sum is not a collection
    assert "Hemliga Hanna" not in html


def test_how_to_give_shows_the_staff_settings_and_bli_partner_is_linked(client, app_ctx):
    settings.put("swish_number", "1234567890")
    settings.put("bankgiro_number", "1234566")
    settings.put("cash_instructions", "Lämna bössan i receptionen.")
    factories.commit()

    html = _home(client)
    giving = html[html.index('id="ge"'):]

    assert "1234567890" in giving
    assert "123-4566" in giving
    assert "Lämna bössan i receptionen." in giving
    assert len(re.findall(r'href="/bli-partner"', html)) >= 2  # the page and the footer


def test_the_home_page_marks_nobodys_own_rows_and_is_not_kept_from_caches(client, login,
                                                                          app_ctx):
    company = factories.make_company()
    member = factories.make_user()
    team = factories.make_team(company, captain=member, name="Egna laget")
    factories.make_collection(team, amount_ore=100_00, logged_by=member)
    factories.commit()

    anonymous = client.get("/")

    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    board = _home(login(member))
    top = board[board.index("Bästa lagen"):board.index("Bästa arbetsplatserna")]
    assert "is-mine" not in top  # nobody's own rows marked: the cached rows are shared


def test_the_footer_links_how_to_give_and_bli_partner_on_every_page(client, app_ctx):
    html = client.get("/leaderboards").get_data(as_text=True)
    footer = html[html.index('class="site-footer"'):]
    assert 'href="/bli-partner"' in footer
    assert 'href="/#ge"' in footer
