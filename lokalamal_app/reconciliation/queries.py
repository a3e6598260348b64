"""Reads for the reconciliation page: imported files with their figures, waiting payments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import BankFile, BankPayment, SwishPayment
from ..models.base import as_utc

STATUSES = ("booked", "waiting", "refused")


@dataclass
class Figure:
    count: int = 0
    total_ore: int = 0


@dataclass
class FileSummary:
    """One imported file: what it held, and what became of it (booked, waiting, refused)."""

    file: BankFile
    imported: Figure = field(default_factory=Figure)
    by_status: dict[str, Figure] = field(default_factory=lambda: {s: Figure() for s in STATUSES})

    @property
    def earlier(self) -> Figure:
        """Payments of the file that an earlier file had recorded."""
        return Figure(self.file.earlier_count, self.file.earlier_ore)

    @property
    def adds_up(self) -> bool:
        """The statuses (and payments an earlier file holds) account for the whole file."""
        figures = [*self.by_status.values(), self.earlier]
        return (sum(f.total_ore for f in figures) == self.file.total_ore
                and sum(f.count for f in figures) == self.file.payment_count)


def file_summaries(limit: int = 50) -> list[FileSummary]:
    """The latest imported BgMax files, newest first, with count and sum per status."""
    files = db.session.execute(
        db.select(BankFile).options(joinedload(BankFile.imported_by))
        .order_by(BankFile.created_at.desc(), BankFile.id.desc()).limit(limit)).scalars().all()
    if not files:
        return []
    summaries = {f.id: FileSummary(f) for f in files}
    rows = db.session.execute(
        db.select(BankPayment.file_id, BankPayment.status, db.func.count(BankPayment.id),
                  db.func.coalesce(db.func.sum(BankPayment.amount_ore), 0))
        .where(BankPayment.file_id.in_(list(summaries)))
        .group_by(BankPayment.file_id, BankPayment.status)).all()
    for file_id, status, count, total in rows:
        figure = summaries[file_id].by_status.setdefault(status, Figure())
        figure.count, figure.total_ore = int(count), int(total)
    for summary in summaries.values():
        summary.imported = Figure(sum(f.count for f in summary.by_status.values()),
                                  sum(f.total_ore for f in summary.by_status.values()))
    return [summaries[f.id] for f in files]


def waiting_payments(limit: int = 200) -> list[BankPayment]:
    """Payments that wait for a person, oldest first."""
    return list(db.session.execute(
        db.select(BankPayment).options(joinedload(BankPayment.file))
        .where(BankPayment.status == "waiting")
        .order_by(BankPayment.paid_on, BankPayment.id).limit(limit)).scalars())


def refused_payments(limit: int = 30) -> list[BankPayment]:
    """Payments refused (deductions, or not ours), newest first."""
    return list(db.session.execute(
        db.select(BankPayment).options(joinedload(BankPayment.team))
        .where(BankPayment.status == "refused")
        .order_by(BankPayment.id.desc()).limit(limit)).scalars())


def swish_imports(limit: int = 20) -> list[tuple]:
    """Booked Swish report rows per import day (UTC date of booking): day, count, sum."""
    rows = db.session.execute(
        db.select(SwishPayment.created_at, SwishPayment.amount_ore)
        .order_by(SwishPayment.created_at.desc()).limit(5000)).all()
    days: dict = {}
    for created_at, amount in rows:
        day = as_utc(created_at).date()
        count, total = days.get(day, (0, 0))
        days[day] = (count + 1, total + amount)
    return [(day, count, total) for day, (count, total) in list(days.items())[:limit]]
