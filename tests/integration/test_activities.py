"""Activities: teams tell what they did; photos are cleaned; visibility, deleting,
reactions, feeds and the volunteering board."""

import io
import os
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lokalamal_app import clock
from lokalamal_app.activities import photos
from lokalamal_app.extensions import db
from lokalamal_app.models import Activity, ActivityReaction
from tests import factories
from tests.activity_helpers import image_bytes, jpeg_with_gps, post, team_with_people


@pytest.fixture
def people(app_ctx):
    world = team_with_people()
    factories.commit()
    return world


def _form(**overrides):
    data = {"happened_on": clock.today().isoformat(), "kind": "bake_sale",
            "text": "Vi sålde kanelbullar i receptionen", "hours": "", "is_public": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _new_url(team):
    return f"/teams/{team.slug}/activities/new"


def _only_activity():
    db.session.expire_all()
    return db.session.execute(db.select(Activity)).scalar_one_or_none()


# --- Posting ---------------------------------------------------------------------------


def test_team_member_posts_an_activity_that_shows_on_the_team_page(people, login):
    client = login(people.member)
    response = client.post(_new_url(people.team), data=_form(hours="1,5"))
    assert response.status_code == 302
    activity = _only_activity()
    assert activity.volunteer_half_hours == 3 and activity.is_public
    assert activity.author_id == people.member.id and activity.company_id == people.company.id
    page = client.get(f"/teams/{people.team.slug}").get_data(as_text=True)
    assert "Vi sålde kanelbullar i receptionen" in page and "1,5 volontärtimmar" in page


@pytest.mark.parametrize("field,value,message", [
    ("happened_on", "tomorrow", "Datumet kan inte ligga i framtiden."),
    ("happened_on", "2026-08-31", "Välj en dag i den här kampanjen"),
    ("happened_on", "31/12", "Skriv datumet som ÅÅÅÅ-MM-DD."),
    ("text", "x" * 501, "Högst 500 tecken."),
    ("text", "   ", "Berätta kort vad ni gjorde."),
    ("hours", "1,25", "Skriv hela eller halva timmar"),
    ("hours", "101", "Högst 100 timmar per aktivitet."),
    ("hours", "två", "Skriv antal timmar"),
    ("kind", "party", "Inte ett giltigt val"),
])
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(people, login, field, value,
                                                                message, freeze_clock):
    freeze_clock(clock.now().replace(year=2026, month=11, day=15))
    if value == "tomorrow":
        value = (clock.today() + timedelta(days=1)).isoformat()
    response = login(people.member).post(_new_url(people.team), data=_form(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert _only_activity() is None


def test_the_date_is_stockholms_today_not_the_servers(people, login, freeze_clock):
    # 23:30 UTC on 30 November is already 1 December in Stockholm.
    from datetime import UTC, datetime

    freeze_clock(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    response = login(people.member).post(_new_url(people.team), data=_form(
        happened_on="2026-12-01"))
    assert response.status_code == 302
    assert _only_activity().happened_on == date(2026, 12, 1)


def test_only_the_teams_members_may_post(people, login, client):
    for person in (people.colleague, people.outsider, people.admin):
        assert login(person).post(_new_url(people.team), data=_form()).status_code == 403
    anonymous = client.post(_new_url(people.team), data=_form())
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(people.member).get(_new_url(people.team)).status_code == 200
    assert _only_activity() is None


# --- Photos ------------------------------------------------------------------------------


def _post_photo(client, team, data: bytes, filename="bild.jpg", **overrides):
    form = _form(**overrides)
    form["photo"] = FileStorage(io.BytesIO(data), filename=filename)
    # Encoded here: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(_new_url(team), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_photo_is_shrunk_and_loses_its_gps_location(people, login, app):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test's premise
    client = login(people.member)
    assert _post_photo(client, people.team, original).status_code == 302
    activity = _only_activity()
    path = os.path.join(app.config["ACTIVITY_PHOTO_DIR"], activity.photo)
    with open(path, "rb") as handle:
        stored = handle.read()
    assert b"Exif" not in stored and b"Telefon" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert image.format == "JPEG" and max(image.size) == photos.MAX_SIDE
    served = client.get(f"/activities/{activity.id}/photo")
    assert served.status_code == 200 and served.data == stored
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    policy = served.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "frame-ancestors 'self'" in policy


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_taken(people, login, kind):
    response = _post_photo(login(people.member), people.team, image_bytes(kind), "foto.bin")
    assert response.status_code == 302
    assert _only_activity().photo


@pytest.mark.parametrize("data,filename", [
    (b"GIF89a" + b"\x00" * 100, "bild.jpg"),
    (None, "bild.gif"),  # a real GIF: an image, but not one we take
    (b"<html><script>alert(1)</script></html>", "bild.png"),
    (b"\xff\xd8\xff\xe0" + b"trasig" * 20, "bild.jpg"),
])
def test_only_real_jpeg_png_or_webp_files_are_taken(people, login, data, filename):
    data = data if data is not None else image_bytes("GIF")
    response = _post_photo(login(people.member), people.team, data, filename)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="photo-error"' in page
    assert re.search(r"JPEG-, PNG- eller WebP-bild|skadad", page)
    assert _only_activity() is None


def test_a_photo_over_the_limit_is_refused_at_the_field(people, login, app):
    too_big = b"\xff\xd8\xff" + b"\x00" * app.config["ACTIVITY_PHOTO_MAX_BYTES"]
    response = _post_photo(login(people.member), people.team, too_big)
    assert response.status_code == 400
    assert "Bilden får vara högst 8 MB." in response.get_data(as_text=True)
    assert _only_activity() is None


def test_a_request_far_over_the_limit_is_refused_with_a_swedish_page(people, login, app):
    huge = b"\x00" * (app.config["ACTIVITY_UPLOAD_MAX_LENGTH"] + 1024)
    response = _post_photo(login(people.member), people.team, huge)
    assert response.status_code == 413
    assert "Det du skickade var för stort" in response.get_data(as_text=True)
    assert "högst 8 MB" in response.get_data(as_text=True)


def test_other_forms_keep_their_small_limit(people, login):
    response = login(people.member).post(f"/teams/{people.team.slug}/join",
                                         data={"x": "y" * (300 * 1024)})
    assert response.status_code == 413


# --- Who sees what -----------------------------------------------------------------------


def test_an_activity_for_the_workplace_only_is_hidden_from_everyone_else(people, login, client,
                                                                          app):
    with app.app_context():
        activity = post(people.team, people.member, "Hemlig fikarunda", public=False,
                        photo=image_bytes("PNG"))
        factories.commit()
        activity_id = activity.id
    for viewer in (client, login(people.outsider)):
        assert "Hemlig fikarunda" not in viewer.get(f"/teams/{people.team.slug}").get_data(
            as_text=True)
        assert "Hemlig fikarunda" not in viewer.get(
            f"/companies/{people.company.slug}").get_data(as_text=True)
        assert viewer.get(f"/activities/{activity_id}/photo").status_code == 404
    staff = factories.make_user(is_staff=True)
    factories.commit()
    for person in (people.colleague, staff):
        viewer = login(person)
        assert "Hemlig fikarunda" in viewer.get(f"/teams/{people.team.slug}").get_data(
            as_text=True)
        photo = viewer.get(f"/activities/{activity_id}/photo")
        assert photo.status_code == 200 and "public" not in photo.headers["Cache-Control"]


def test_a_public_activity_is_seen_by_anyone_without_the_authors_name(people, client):
    post(people.team, people.member, "Promenad runt Mälaren", kind="walk")
    factories.commit()
    page = client.get(f"/teams/{people.team.slug}").get_data(as_text=True)
    assert "Promenad runt Mälaren" in page and "Medlem" not in page


# --- Deleting ----------------------------------------------------------------------------


@pytest.mark.parametrize("who,allowed", [
    ("member", True), ("captain", True), ("admin", True), ("staff", True),
    ("colleague", False), ("outsider", False),
])
def test_who_may_delete_an_activity(people, login, app, who, allowed):
    activity = post(people.team, people.member, photo=image_bytes("PNG"))
    other = factories.make_user()
    factories.join_team(people.team, other)
    db.session.add(ActivityReaction(activity_id=activity.id, user_id=other.id, kind="heart"))
    person = factories.make_user(is_staff=True) if who == "staff" else getattr(people, who)
    factories.commit()
    activity_id, path = activity.id, photos.path_of(activity.photo)
    assert os.path.exists(path)
    response = login(person).post(f"/activities/{activity_id}/delete")
    db.session.expire_all()
    if allowed:
        assert response.status_code == 302
        assert db.session.get(Activity, activity_id) is None
        assert not os.path.exists(path)
        assert not db.session.execute(db.select(ActivityReaction)).first()
    else:
        # The outsider does not see a public activity's delete button nor may use it.
        assert response.status_code == 403
        assert db.session.get(Activity, activity_id) is not None and os.path.exists(path)


# --- Reactions ---------------------------------------------------------------------------


def test_a_reaction_toggles_on_and_off_and_counts_are_shown(people, login):
    activity = post(people.team, people.member)
    factories.commit()
    url = f"/activities/{activity.id}/reactions/clap"
    client = login(people.colleague)
    on = client.post(url, headers={"HX-Request": "true"})
    assert on.status_code == 200
    fragment = on.get_data(as_text=True)
    assert 'aria-pressed="true"' in fragment and '<span class="reaction-count">1</span>' in fragment
    assert "<html" not in fragment
    login(people.captain).post(url)
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(ActivityReaction.id))).scalar_one() == 2
    off = client.post(url, headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in off.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(db.select(ActivityReaction.user_id)).scalars().all() == [
        people.captain.id]
    # Without JavaScript the form posts and the page reloads.
    back = client.post(url, data={"next": f"/teams/{people.team.slug}"})
    assert back.status_code == 302 and back.headers["Location"].endswith(people.team.slug)


def test_one_reaction_per_person_per_kind_but_several_kinds(people, login):
    activity = post(people.team, people.member)
    factories.commit()
    client = login(people.colleague)
    for kind in ("clap", "heart", "party"):
        client.post(f"/activities/{activity.id}/reactions/{kind}")
    db.session.expire_all()
    kinds = db.session.execute(db.select(ActivityReaction.kind)).scalars().all()
    assert sorted(kinds) == ["clap", "heart", "party"]


def test_reacting_needs_a_login_a_known_kind_and_an_activity_you_may_see(people, login, client):
    hidden = post(people.team, people.member, public=False)
    factories.commit()
    anonymous = client.post(f"/activities/{hidden.id}/reactions/clap")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(people.outsider).post(
        f"/activities/{hidden.id}/reactions/clap").status_code == 404
    assert login(people.colleague).post(
        f"/activities/{hidden.id}/reactions/thumbsdown").status_code == 404
    db.session.expire_all()
    assert not db.session.execute(db.select(ActivityReaction)).first()


# --- Feeds -------------------------------------------------------------------------------


def test_the_feed_is_paged_newest_first(people, client):
    for day in range(12):
        post(people.team, people.member, f"Aktivitet nummer {day:02d}.", days_ago=day)
    factories.commit()
    page = client.get(f"/teams/{people.team.slug}").get_data(as_text=True)
    assert page.index("Aktivitet nummer 00.") < page.index("Aktivitet nummer 09.")
    assert "Aktivitet nummer 10." not in page and "Visa fler" in page
    more = client.get(f"/teams/{people.team.slug}/activities?page=2",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Aktivitet nummer 10." in more and "Aktivitet nummer 11." in more
    assert "Aktivitet nummer 09." not in more and "Visa fler" not in more
    full = client.get(f"/companies/{people.company.slug}/activities?page=2")
    assert full.status_code == 200 and "Aktivitet nummer 11." in full.get_data(as_text=True)


def test_the_workplace_page_shows_all_its_teams_activities(people, client):
    other_team = factories.make_team(people.company, captain=people.colleague)
    post(people.team, people.member, "Bullar från lag ett")
    post(other_team, people.colleague, "Quiz från lag två", kind="quiz")
    factories.commit()
    page = client.get(f"/companies/{people.company.slug}").get_data(as_text=True)
    assert "Bullar från lag ett" in page and "Quiz från lag två" in page


# --- Volunteering hours ------------------------------------------------------------------


def test_the_hours_board_ranks_teams_and_workplaces_this_campaign(people, client, app_ctx):
    other = team_with_people()
    post(people.team, people.member, "Volontär i second hand", half_hours=9, kind="volunteer")
    post(other.team, other.member, "Volontär på mötesplatsen", half_hours=4, kind="volunteer")
    post(other.team, other.member, "Mer volontärarbete", half_hours=2, kind="volunteer")
    # Before the campaign: not counted (written straight in, as the form refuses the date).
    db.session.add(Activity(team_id=other.team.id, company_id=other.company.id,
                            author_id=other.member.id, happened_on=date(2026, 8, 1),
                            kind="volunteer", text="I somras", volunteer_half_hours=100,
                            is_public=True))
    factories.commit()
    page = client.get("/leaderboards/volunteering").get_data(as_text=True)
    first, second = page.index(people.team.name), page.index(other.team.name)
    assert first < second
    assert "4,5" in page and ">3<" in page and "50" not in re.sub(r"<[^>]+>", " ", page).split()
    assert page.index(people.company.name) < page.index(other.company.name)
    assert "/leaderboards/volunteering" in client.get("/leaderboards").get_data(as_text=True)


def test_a_feed_page_costs_the_same_few_queries_however_many_activities(people, count_queries):
    from flask_login import AnonymousUserMixin

    from lokalamal_app.activities import queries

    def cost(viewer):
        db.session.expire_all()
        with count_queries() as counter:
            queries.feed("company", people.company, viewer)
        return counter.count

    post(people.team, people.member)
    factories.commit()
    few = cost(people.admin), cost(AnonymousUserMixin())
    for day in range(9):
        post(people.team, people.captain if day % 2 else people.member, days_ago=day)
    factories.commit()
    assert (cost(people.admin), cost(AnonymousUserMixin())) == few
    assert queries.hours_board("teams", None, None) == []


def test_merging_a_duplicate_workplace_takes_its_activities_along(people, app_ctx):
    from lokalamal_app.companies.merge import merge_companies

    duplicate = team_with_people()
    activity = post(duplicate.team, duplicate.member, "Bullar i dubbletten")
    staff = factories.make_user(is_staff=True)
    factories.commit()
    activity_id = activity.id
    merge_companies(duplicate.company, people.company, staff)
    factories.commit()
    db.session.expire_all()
    assert db.session.get(Activity, activity_id).company_id == people.company.id
