"""Builders for activity tests: images, teams with members, finished challenges."""

import io
from datetime import timedelta

from PIL import Image

from lokalamal_app import clock
from lokalamal_app.activities import services
from lokalamal_app.extensions import db
from lokalamal_app.models import Challenge, ChallengeParticipant
from tests import factories


def jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    """A phone-like JPEG that says where it was taken (GPS EXIF) and by which camera."""
    image = Image.new("RGB", (width, height), (200, 100, 50))
    exif = Image.Exif()
    exif[0x010F] = "Telefon"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (59.0, 36.0, 30.0), "E", (16.0, 33.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def image_bytes(kind: str = "PNG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(out, kind)
    return out.getvalue()


def team_with_people():
    """A workplace with an admin, a team with a captain and a member, and an outsider."""
    admin = factories.make_user(display_name="Admin")
    company = factories.make_company(admin=admin)
    captain = factories.make_user(display_name="Kapten")
    team = factories.make_team(company, captain=captain)
    member = factories.make_user(display_name="Medlem")
    factories.join_team(team, member)
    colleague = factories.make_user(display_name="Kollega")  # same workplace, other team
    factories.add_member(company, colleague)
    outsider = factories.make_user(display_name="Utomstående")
    factories.make_company(admin=outsider)
    return type("People", (), dict(admin=admin, company=company, captain=captain, team=team,
                                   member=member, colleague=colleague, outsider=outsider))


def post(team, author, text="Vi bakade bullar", days_ago=0, public=True, half_hours=0,
         kind="bake_sale", photo=None):
    return services.post_activity(team, author, clock.today() - timedelta(days=days_ago), kind,
                                  text, half_hours, public, photo)


def ended_challenge(days_since_end: int = 1, length: int = 10):
    """Two workplaces, each with a team and a member, in an accepted challenge that ended
    `days_since_end` days ago; each side has one public activity in the period."""
    a, b = team_with_people(), team_with_people()
    ends = clock.today() - timedelta(days=days_since_end)
    starts = ends - timedelta(days=length - 1)
    challenge = Challenge(challenger_id=a.company.id, starts_on=starts, ends_on=ends,
                          status="accepted", measure="total")
    db.session.add(challenge)
    db.session.flush()
    for side in (a, b):
        db.session.add(ChallengeParticipant(challenge_id=challenge.id, company_id=side.company.id,
                                            status="accepted", headcount=10))
    db.session.flush()
    db.session.refresh(challenge)
    a_activity = post(a.team, a.member, "Quizlunch med tema Västerås", days_ago=days_since_end)
    b_activity = post(b.team, b.member, "Loppis i entrén", days_ago=days_since_end)
    return type("Ended", (), dict(challenge=challenge, a=a, b=b, a_activity=a_activity,
                                  b_activity=b_activity))
