"""Demo step: one imported BgMax file with a reported collection received, a new received
gift, a payroll month paid by the employer, and two payments waiting for a person; and one
imported Swish report with booked, waiting and refused rows."""

from datetime import timedelta

from ..extensions import db
from ..models import LedgerEntry, PayrollRun
from ..payroll import queries as payroll_queries
from ..staff.demo import DEMO_BANKGIRO_NUMBER
from . import bgmax, bgmax_builder, bgmax_import, references


def load(world) -> None:
    """Import a made-up BgMax file and Swish report as the demo staff member."""
    _bgmax(world)
    _swish(world)


def _swish(world) -> None:
    """A bank's Swish report: a reported Swish collection received, a new gift for a team,
    a gift without a team's code (waits), an outgoing payment and an unreadable row (refused)."""
    from ..staff import swish_import  # noqa: PLC0415

    day = world.today - timedelta(days=1)
    rows = []
    reported = db.session.execute(
        db.select(LedgerEntry).where(
            LedgerEntry.status.in_(("pending", "attested")), LedgerEntry.method == "swish",
            LedgerEntry.logged_by_id != world.staff.id,
            LedgerEntry.collected_on >= day - timedelta(days=swish_import.MATCH_DAYS),
            LedgerEntry.collected_on <= day, LedgerEntry.reverses_id.is_(None))
        .order_by(LedgerEntry.collected_on.desc(), LedgerEntry.id)).scalars().first()
    if reported is not None:
        rows.append((reported.amount_ore, f"{references.payment_reference(reported.team_id)} "
                                          "Lokala mål", "Demo Givare"))
    rows += [
        (200_00, f"Fikapengar {references.payment_reference(world.teams[0].id)}", "Demo Kollega"),
        (100_00, "Till er som hjälper", "Demo Vän"),
        (-50_00, "Återbetalning", "Västerås stadsmission"),
    ]
    lines = ["Bokföringsdag;Transaktionsdag;Tid;Betalningsreferens;Avsändare;Meddelande;Belopp"]
    for number, (amount, message, payer) in enumerate(rows, start=1):
        kronor = f"{'-' if amount < 0 else ''}{abs(amount) // 100},{abs(amount) % 100:02d}"
        lines.append(f"{day.isoformat()};{day.isoformat()};10:{number:02d};DEMO{number:04d};"
                     f"{payer};{message};{kronor}")
    lines.append(f"{day.isoformat()};{day.isoformat()};11:00;DEMO9999;Demo Bank;Gåva;tvåhundra")
    report = swish_import.read("\r\n".join(lines).encode("utf-8"))
    proposals = swish_import.propose(report.payments)
    chosen = {p.payment.import_key for p in proposals if p.can_book}
    swish_import.book(report, proposals, chosen, world.staff)
    db.session.flush()


def _bgmax(world) -> None:
    """Import a made-up BgMax file as the demo staff member, booking every proposal."""
    day = world.today - timedelta(days=1)
    rows = []
    # A reported cash or event collection that a team paid in to the bankgiro.
    reported = db.session.execute(
        db.select(LedgerEntry).where(
            LedgerEntry.status.in_(("pending", "attested")),
            LedgerEntry.method.in_(bgmax_import.BANK_METHODS),
            LedgerEntry.needs_count_confirm.is_(False),
            LedgerEntry.logged_by_id != world.staff.id,
            LedgerEntry.collected_on >= day - timedelta(days=10),
            LedgerEntry.reverses_id.is_(None))
        .order_by(LedgerEntry.collected_on.desc(), LedgerEntry.id)).scalars().first()
    if reported is not None:
        rows.append((reported.amount_ore, references.payment_reference(reported.team_id),
                     [bgmax_builder.name("Demo Betalare")]))
    rows.append((500_00, "", [bgmax_builder.information(
        f"Lotteri på kontoret lag {references.payment_reference(world.teams[1].id)}")]))
    run = db.session.execute(db.select(PayrollRun).where(
        PayrollRun.company_id == world.companies[0].id).order_by(PayrollRun.month)).scalars().first()
    if run is not None:
        total = payroll_queries.transfer_totals([run.id])[run.id]
        if total > 0:
            rows.append((total, references.payroll_reference(run.id),
                         [bgmax_builder.name(world.companies[0].name[:35])]))
    rows.append((150_00, "", [bgmax_builder.information("Gåva till stadsmissionen")]))
    rows.append((320_00, "7999999999998", []))
    text = bgmax_builder.file(
        bgmax_builder.Section(payments=rows, paid_on=day.strftime("%Y%m%d")),
        stamp=day.strftime("%Y%m%d") + "063000000000", first_serial=900_000,
        payee_bankgiro=DEMO_BANKGIRO_NUMBER)
    parsed = bgmax.parse(bgmax_builder.encode(text))
    proposals = bgmax_import.propose(parsed)
    chosen = {p.payment.serial for p in proposals if p.can_book}
    bgmax_import.book(parsed, proposals, chosen, world.staff)
    db.session.flush()
