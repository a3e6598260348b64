"""What a person does with a phone: register, see their name, log out; keyboard only."""

from playwright.sync_api import expect


def test_register_and_log_out_on_a_phone(live_server, page):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Skapa konto").first.click()
    page.get_by_label("Namn som visas").fill("Amina Hassan")
    page.get_by_label("E-post").fill("amina@example.se")
    page.get_by_label("Lösenord").fill("kaffe på fredag")
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_text("Välkommen, Amina Hassan!")).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()


def test_bad_input_is_shown_at_the_field_and_kept(live_server, page):
    page.goto(live_server + "/register")
    page.get_by_label("Namn som visas").fill("Erik")
    page.get_by_label("E-post").fill("inte-en-adress")
    page.get_by_label("Lösenord").fill("kort")
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.locator("#email-error")).to_contain_text("giltig e-postadress")
    expect(page.locator("#password-error")).to_contain_text("minst 8 tecken")
    expect(page.get_by_label("Namn som visas")).to_have_value("Erik")
    expect(page.get_by_label("E-post")).to_have_value("inte-en-adress")


def test_keyboard_reaches_the_login_form_and_sees_focus(live_server, page):
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    page.get_by_label("E-post").focus()
    page.keyboard.type("ingen@example.se")
    page.keyboard.press("Tab")
    page.keyboard.type("fel lösenord")
    page.keyboard.press("Enter")
    expect(page.locator("#password-error")).to_have_text("Fel e-postadress eller lösenord.")
