"""A team tells what it did, with a photo, and colleagues react, in a real browser: the
photo is shown in the team's feed and a reaction counts at once, without a reload."""

import io

from PIL import Image
from playwright.sync_api import expect

from tests import factories


def _photo(tmp_path):
    path = tmp_path / "bullar.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 150, 90)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _log_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_a_member_posts_an_activity_with_a_photo_and_a_colleague_reacts(
        live_server, page, new_page, app_ctx, tmp_path):
    company = factories.make_company(name="Kopparlunden AB")
    captain = factories.make_user(email="maja@example.se")
    colleague = factories.make_user(email="erik@example.se")
    team = factories.make_team(company, captain=captain, name="Fikagänget")
    factories.add_member(company, colleague)
    factories.commit()

    _log_in(page, live_server, "maja@example.se")
    page.goto(live_server + f"/teams/{team.slug}/activities/new")
    page.get_by_label("Berätta kort").fill("Vi bakade bullar och sålde dem i receptionen.")
    page.locator("input[type=file]").set_input_files(str(_photo(tmp_path)))
    page.get_by_label("Visa för alla (annars bara för arbetsplatsen)").check()
    page.get_by_role("button", name="Spara aktiviteten").click()

    # Back on the team page, at the feed, opened.
    expect(page.get_by_text("Vi bakade bullar och sålde dem i receptionen.")).to_be_visible()
    photo = page.locator("img.activity-photo")
    expect(photo).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0",
                         photo.element_handle())

    other = new_page()
    _log_in(other, live_server, "erik@example.se")
    other.goto(live_server + f"/teams/{team.slug}#aktiviteter")
    url = other.url
    clap = other.locator(".reactions button").first
    expect(clap).to_have_attribute("aria-pressed", "false")
    clap.click()
    expect(other.locator(".reactions button").first).to_have_attribute("aria-pressed", "true")
    expect(other.locator(".reactions button .reaction-count").first).to_have_text("1")
    assert other.url == url  # answered in place
