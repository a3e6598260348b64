"""Reads for the reconciliation page: imported files (BgMax and Swish reports) with their
figures, waiting and refused payments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import BankFile, BankPayment, SwishFile, SwishPayment

STATUSES = ("booked", "waiting", "refused")


@dataclass
class Figure:
    count: int = 0
    total_ore: int = 0


@dataclass
class FileSummary:
    """One imported file: what it held, and what became of it (booked, waiting, refused)."""

    file: BankFile | SwishFile
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
    return _summaries(BankFile, BankPayment, limit)


def swish_file_summaries(limit: int = 50) -> list[FileSummary]:
    """The latest imported Swish reports, newest first, with count and sum per status."""
    return _summaries(SwishFile, SwishPayment, limit)


def _summaries(file_model, row_model, limit: int) -> list[FileSummary]:
    """Files of one kind with their rows' count and sum per status (two queries)."""
    files = db.session.execute(
        db.select(file_model).options(joinedload(file_model.imported_by))
        .order_by(file_model.created_at.desc(), file_model.id.desc()).limit(limit)).scalars().all()
    if not files:
        return []
    summaries = {f.id: FileSummary(f) for f in files}
    rows = db.session.execute(
        # A row without a readable amount counts, and adds nothing to the sum.
        db.select(row_model.file_id, row_model.status, db.func.count(row_model.id),
                  db.func.coalesce(db.func.sum(row_model.amount_ore), 0))
        .where(row_model.file_id.in_(list(summaries)))
        .group_by(row_model.file_id, row_model.status)).all()
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


def waiting_swish_rows(limit: int = 200) -> list[SwishPayment]:
    """Swish report rows that wait for a person, oldest first."""
    return list(db.session.execute(
        db.select(SwishPayment).options(joinedload(SwishPayment.team))
        .where(SwishPayment.status == "waiting")
        .order_by(SwishPayment.paid_on, SwishPayment.id).limit(limit)).scalars())


def refused_swish_rows(limit: int = 30) -> list[SwishPayment]:
    """Swish report rows refused (unreadable, outgoing, or not ours), newest first."""
    return list(db.session.execute(
        db.select(SwishPayment).where(SwishPayment.status == "refused")
        .order_by(SwishPayment.id.desc()).limit(limit)).scalars())
