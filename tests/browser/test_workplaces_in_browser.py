"""On a phone: register, put up a workplace, start a team, and a colleague joins by its link."""

import re

from playwright.sync_api import expect


def register(page, base, name, email):
    page.goto(base + "/register")
    page.get_by_label("Namn som visas").fill(name)
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill("kaffe på fredag")
    page.get_by_role("button", name="Skapa konto").click()


def test_workplace_team_and_a_colleague_joining_by_link(live_server, page, new_page):
    register(page, live_server, "Amina Hassan", "amina@kopparlunden.se")
    page.get_by_role("link", name="Lägg upp din arbetsplats").click()
    page.get_by_label("Arbetsplatsens namn").fill("Kopparlunden Teknik AB")
    page.get_by_label("Organisationsnummer (om ni vill)").fill("556036-0794")
    page.get_by_label("Postnummer").fill("722 13")
    page.get_by_label("Antal anställda").fill("48")
    page.get_by_role("button", name="Lägg upp arbetsplatsen").click()
    expect(page.locator("#org_number-error")).to_contain_text("kontrollsiffran är fel")
    expect(page.get_by_label("Antal anställda")).to_have_value("48")
    page.get_by_label("Organisationsnummer (om ni vill)").fill("556036-0793")
    page.get_by_role("button", name="Lägg upp arbetsplatsen").click()
    expect(page.get_by_role("heading", name="Kopparlunden Teknik AB", exact=True)).to_be_visible()

    page.get_by_role("link", name="Starta ett lag").click()
    page.get_by_label("Lagets namn").fill("Fikagänget")
    page.get_by_label("Vilket mål samlar ni till?").select_option(label="#3 Ingen ensamhet")
    page.get_by_label("Insamlingsmål i kronor (om ni vill)").fill("15 000")
    page.get_by_role("button", name="Starta laget").click()
    expect(page.get_by_role("heading", name="Fikagänget", exact=True)).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    invite = page.get_by_label("Inbjudningslänk").input_value()
    assert re.search(r"/join/[\w-]+$", invite)

    colleague = new_page()
    register(colleague, live_server, "Erik Nilsson", "erik@kopparlunden.se")
    colleague.goto(invite)
    expect(colleague.get_by_role("heading", name="Gå med i Fikagänget")).to_be_visible()
    colleague.get_by_role("button", name="Gå med").click()
    expect(colleague.get_by_text("Välkommen till Fikagänget!")).to_be_visible()
    expect(colleague.locator(".member-list")).to_contain_text("Erik Nilsson")
    colleague.get_by_role("link", name="Min sida").click()
    expect(colleague.get_by_text("Kopparlunden Teknik AB")).to_be_visible()
