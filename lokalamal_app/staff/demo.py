"""Demo data for the mission's side: a fictional Swish number, partners, impact lines and
one partner inquiry. All names are made up."""

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
    # goal number: (kronor, what it does) – illustrative demo figures, staff write the real ones
    1: [(200, "en varm måltid och en dusch för en person utan hem"),
        (1000, "en natt i tryggt boende för en familj")],
    3: [(150, "en fika för en livsberättargrupp"),
        (500, "en kväll med förlängda öppettider på en mötesplats")],
    5: [(300, "en arbetsdag med handledning i secondhandbutiken")],
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
    for number, lines in IMPACT.items():
        for position, (kronor, text) in enumerate(lines):
            db.session.add(ImpactLine(goal_id=goals[number].id, amount_ore=kronor * 100,
                                      text=text, position=position))
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
