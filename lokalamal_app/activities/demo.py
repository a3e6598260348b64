"""Demo activities: a few per team (some with a drawn photo), reactions, and votes in the
demo's finished challenge."""

import io
from datetime import timedelta

from PIL import Image, ImageDraw

from ..extensions import db
from ..models import Activity, ActivityReaction, Challenge, CreativityVote
from ..models.activity import REACTIONS
from . import photos

IDEAS = [
    ("bake_sale", "Fikaförsäljning i receptionen: kanelbullar och kladdkaka slut på en timme.", 0),
    ("quiz", "Quizlunch om Västerås historia, förlorarlaget bjöd på kaffe.", 0),
    ("walk", "Lunchpromenad längs Svartån, alla som gick lade en tia i bössan.", 0),
    ("volunteer", "Sorterade kläder i stadsmissionens second hand en eftermiddag.", 12),
    ("volunteer", "Bakade och serverade på mötesplatsens söndagsfika.", 7),
    ("other", "Loppis med saker från förråden; det som blev över gick till second hand.", 0),
]


def drawn_photo(seed: int) -> bytes:
    """A small picture drawn here (buns on a table under a sun): no files from outside."""
    image = Image.new("RGB", (640, 420), (180 + seed * 7 % 60, 210, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 640, 420), fill=(150, 105, 70))  # the table
    draw.ellipse((520, 30, 600, 110), fill=(250, 215, 80))  # the sun
    for i in range(5):
        x = 60 + i * 110
        draw.ellipse((x, 220, x + 90, 290), fill=(205, 140, 70), outline=(120, 70, 30), width=3)
        draw.arc((x + 15, 235, x + 75, 275), 200, 340, fill=(120, 70, 30), width=3)
    draw.text((20, 20), "Lokala mål", fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    cleaned, extension = photos.clean(out.getvalue())
    return photos.store(cleaned, extension)


def _activity(team, author, day, kind, text, half_hours, public, photo=None) -> Activity:
    activity = Activity(team_id=team.id, company_id=team.company_id, author_id=author.id,
                        happened_on=day, kind=kind, text=text, volunteer_half_hours=half_hours,
                        is_public=public, photo=photo)
    db.session.add(activity)
    return activity


def load(world) -> None:
    """Activities for every demo team, reactions from teammates, votes in the finished
    challenge (flushes)."""
    rng, today = world.rng, world.today
    posted = []
    for number, team in enumerate(world.teams):
        people = world.people_by_team.get(team.id) or []
        if not people:
            continue
        for i in range(1 + number % 3):
            kind, text, half_hours = IDEAS[(number + i) % len(IDEAS)]
            photo = drawn_photo(number) if (number + i) % 3 == 0 else None
            activity = _activity(team, rng.choice(people), today - timedelta(days=rng.randint(0, 30)),
                                 kind, text, half_hours, public=(number + i) % 4 != 3, photo=photo)
            posted.append((activity, people))
    db.session.flush()
    for activity, people in posted:
        for person in people[: rng.randint(0, len(people))]:
            db.session.add(ActivityReaction(activity_id=activity.id, user_id=person.id,
                                            kind=rng.choice(REACTIONS)))
    _finished_challenge_votes(world)
    db.session.flush()


def _finished_challenge_votes(world) -> None:
    """The finished demo challenge gets an activity per side and colleagues' votes."""
    finished = db.session.execute(
        db.select(Challenge).where(Challenge.settled_at.is_not(None)).order_by(Challenge.id)
    ).scalars().first()
    if finished is None:
        return
    sides = {}
    for participant in finished.participants:
        teams = [t for t in world.teams if t.company_id == participant.company_id]
        people = [p for t in teams for p in world.people_by_team.get(t.id, [])]
        if not teams or not people:
            return
        day = finished.starts_on + timedelta(days=3 + len(sides))
        kind, text, half_hours = IDEAS[len(sides) % len(IDEAS)]
        sides[participant.company_id] = (
            _activity(teams[0], people[0], day, kind, text, half_hours, True,
                      drawn_photo(len(sides))), people)
    db.session.flush()
    for company_id, (_own, people) in sides.items():
        others = [a for c, (a, _p) in sides.items() if c != company_id]
        count = 3 if company_id == min(sides) else 2  # one side wins the creativity prize
        for person in people[:count]:
            db.session.add(CreativityVote(challenge_id=finished.id, activity_id=others[0].id,
                                          user_id=person.id, voter_company_id=company_id))
