"""Rounds of a campaign, the honours of each ended round, and how a challenge is scored."""

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin


class Round(TimestampMixin, db.Model):
    """A stretch of a campaign (e.g. a month), both days included; rounds never overlap."""

    __table_args__ = (UniqueConstraint("campaign_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    campaign: Mapped["Campaign"] = relationship()  # noqa: F821

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class RoundResult(TimestampMixin, db.Model):
    """The one record that a round's honours are stored: its unique round id is what makes
    two requests at once store them only once."""

    __table_args__ = (UniqueConstraint("round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    stored_on: Mapped[date] = mapped_column(Date)


class RoundHonour(db.Model):
    """One place on a round's honours list, as it stood when the round ended.

    kind 'team' (top 3 by money), 'company' (top workplace by money) or 'challenge' (the
    leader of a challenge by its scoring within the round). Names are copied so a later
    rename or correction does not rewrite history.
    """

    __table_args__ = (UniqueConstraint("result_id", "kind", "challenge_id", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("round_result.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    challenge_id: Mapped[int] = mapped_column(Integer, default=0)  # 0: not a challenge
    place: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(160))
    amount_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    # For kind 'challenge': the scoring and the score it led with, as a decimal text.
    scoring: Mapped[str] = mapped_column(String(24), default="")
    score: Mapped[str] = mapped_column(String(40), default="")


class ChallengeScoring(db.Model):
    """The scoring a challenge is decided by when it is not one of the challenge's own
    measures (e.g. givers x money); no row means the challenge's measure decides."""

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id"), unique=True)
    scoring: Mapped[str] = mapped_column(String(24))
