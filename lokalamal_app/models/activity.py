"""What teams do besides collecting money: activities, reactions and the creativity vote."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin

TEXT_MAX = 500
REACTIONS = ("clap", "heart", "party")
REACTION_EMOJI = {"clap": "👏", "heart": "❤️", "party": "🎉"}


class Activity(TimestampMixin, db.Model):
    """Something a team did on a day (a bake sale, a walk, hours at the mission).

    `company_id` is the team's workplace when it was posted, so the workplace's and a
    challenge's feeds need no join. Volunteering is stored in half hours (whole numbers).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    happened_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    volunteer_half_hours: Mapped[int] = mapped_column(Integer, default=0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The stored photo's file name under ACTIVITY_PHOTO_DIR (random, never the upload's).
    photo: Mapped[str | None] = mapped_column(String(64))

    team: Mapped["Team"] = relationship()  # noqa: F821
    company: Mapped["Company"] = relationship()  # noqa: F821
    author: Mapped["User"] = relationship()  # noqa: F821

    @property
    def volunteer_hours(self) -> float:
        return self.volunteer_half_hours / 2


class ActivityReaction(TimestampMixin, db.Model):
    """One person's reaction of one kind to an activity; a second click takes it back."""

    __table_args__ = (UniqueConstraint("activity_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))


class CreativityVote(TimestampMixin, db.Model):
    """A vote for the most creative activity of a finished challenge.

    A colleague of one workplace votes once per challenge (`user_id`), for another
    workplace's activity; a member of the public (when the challenge allows it) once per
    browser (`browser_key`, a random cookie), with `origin_key` (a keyed hash of the
    address, never the address) for the rate limit.
    """

    __table_args__ = (
        # Named by their first column: the person (or browser), then the challenge.
        UniqueConstraint("user_id", "challenge_id"),
        UniqueConstraint("browser_key", "challenge_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The workplace the colleague voted from; None for a public vote.
    voter_company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    browser_key: Mapped[str | None] = mapped_column(String(64))
    origin_key: Mapped[str | None] = mapped_column(String(64), index=True)


class CreativityVoteSetting(db.Model):
    """Whether the public may vote too in a challenge's creativity vote (default: no)."""

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id"), primary_key=True)
    public_votes: Mapped[bool] = mapped_column(Boolean, default=False)
