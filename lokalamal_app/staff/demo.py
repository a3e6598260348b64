"""Demo data for the mission's side: a fictional Swish number, partners, impact lines, the
goals' English texts and one partner inquiry. All names are made up."""

from .. import settings
from ..extensions import db
from ..models import Goal, ImpactLine, Inquiry, Partner

# 123 456 78 90 is clearly not a real Swish number; it only makes the QR codes show.
DEMO_SWISH_NUMBER = "1234567890"
# 123-4566: a made-up bankgiro number (its check digit is right, so the form takes it).
DEMO_BANKGIRO_NUMBER = "1234566"
DEMO_CASH_INSTRUCTIONS = ("Demo: lämna kontanterna i en förseglad bössa i receptionen på "
                          "Exempelgatan 1 (påhittad adress), vardagar 9–16. Två personer räknar.")

IMPACT = {
    # goal number: (kronor, what it does, in English) – illustrative demo figures, staff
    # write the real ones
    1: [(200, "en varm måltid och en dusch för en person utan hem",
         "a hot meal and a shower for a person without a home"),
        (1000, "en natt i tryggt boende för en familj", "a night in safe housing for a family")],
    3: [(150, "en fika för en livsberättargrupp", "coffee and cake for a life-story group"),
        (500, "en kväll med förlängda öppettider på en mötesplats",
         "an evening of longer opening hours at a meeting place")],
    5: [(300, "en arbetsdag med handledning i secondhandbutiken",
         "a working day with a supervisor in the second-hand shop")],
}

DEMO_CASH_INSTRUCTIONS_EN = ("Demo: leave the cash in a sealed collection box at the reception, "
                             "Exempelgatan 1 (a made-up address), weekdays 9–16. Two people "
                             "count it.")

# The goals' English texts, as staff would write them beside the Swedish (demo wording).
GOALS_EN = {
    1: ("No homelessness",
        "Everyone in Västerås should have a safe place to live.",
        "The mission meets people without a home every day: a hot meal, a shower, advice "
        "and someone who listens.\n\nWith your gift we can offer more nights in safe "
        "housing and help people find a home of their own."),
    2: ("Everyone is safe",
        "Nobody in Västerås should live in fear.",
        "The mission supports people who have been exposed to violence or threats, with "
        "safe places to stay and people to talk to.\n\nYour gift helps more people feel "
        "safe at home and in town."),
    3: ("No loneliness",
        "Nobody in Västerås should have to be lonely.",
        "Today the mission runs life-story groups for lonely elderly people, work in the "
        "second-hand shop and two open meeting places.\n\nWe want the meeting places to "
        "stay open for longer. The goal links to the UN global goals on peace and on "
        "well-being at all ages."),
    4: ("No mental ill-health",
        "Everyone in Västerås should get support when life is heavy.",
        "The mission offers conversations, groups and a place to come to when things are "
        "hard.\n\nYour gift means more time to listen and support."),
    5: ("Everyone can work",
        "Everyone in Västerås who wants to work should get the chance.",
        "In the second-hand shop and other workplaces, people who are far from the labour "
        "market get a working day with a supervisor.\n\nYour gift gives more people a "
        "way into work."),
}

PARTNERS = [
    # goal number, name, level, url
    (3, "Mälardalens Energi (demo)", "main", "https://example.se/energi"),
    (3, "Aros Bageri (demo)", "partner", ""),
    (1, "Västerås Fastighetsservice (demo)", "partner", "https://example.se/fastighet"),
]


def load(world) -> None:
    """Add the mission's demo content on top of the core demo world."""
    goals = {g.number: g for g in db.session.execute(db.select(Goal)).scalars()}
    settings.put("swish_number", DEMO_SWISH_NUMBER, actor=world.staff)
    settings.put("bankgiro_number", DEMO_BANKGIRO_NUMBER, actor=world.staff)
    settings.put("cash_instructions", DEMO_CASH_INSTRUCTIONS, actor=world.staff)
    settings.put("cash_instructions_en", DEMO_CASH_INSTRUCTIONS_EN, actor=world.staff)
    for number, (title, summary, body) in GOALS_EN.items():
        goal = goals[number]
        goal.title_en, goal.summary_en, goal.body_en = title, summary, body
    for number, lines in IMPACT.items():
        for position, (kronor, text, text_en) in enumerate(lines):
            db.session.add(ImpactLine(goal_id=goals[number].id, amount_ore=kronor * 100,
                                      text=text, text_en=text_en, position=position))
    for position, (number, name, level, url) in enumerate(PARTNERS):
        db.session.add(Partner(goal_id=goals[number].id, name=name, level=level, url=url,
                               position=position))
    db.session.add(Inquiry(
        company_name="Skultuna Verkstad och Design AB (demo)", contact_name="Petra Ek",
        email="petra.ek@example.se", phone="021-12 34 56", goal_id=goals[4].id,
        level="main", message="Vi vill gärna vara huvudpartner för Ingen psykisk ohälsa nästa år.",
        client_addr="demo",
    ))
    db.session.flush()
