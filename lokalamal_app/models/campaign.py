"""Campaigns: named stretches of days that "this campaign" figures are counted for."""

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TimestampMixin


class Campaign(TimestampMixin, db.Model):
    """A campaign runs from `starts_on` to `ends_on` (both included); no end means open.

    Its stored totals are Tally rows with the period `c<id>`, so a new campaign never
    rewrites the figures of an old one.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    @property
    def period(self) -> str:
        """The Tally period of this campaign's totals."""
        return f"c{self.id}"

    def contains(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
