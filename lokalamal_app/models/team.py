"""Colleague teams inside a workplace."""

import secrets

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin


def new_team_code() -> str:
    return secrets.token_urlsafe(9)


class Team(TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("company_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    target_ore: Mapped[int | None] = mapped_column(BigInteger)
    pitch: Mapped[str] = mapped_column(Text, default="")
    join_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_team_code)
    # Short code people write in the Swish message so the mission can tell the team.
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    captain_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Keys into teams.looks' palette and emblems; None means derived from the id.
    colour: Mapped[str | None] = mapped_column(String(16))
    emblem: Mapped[str | None] = mapped_column(String(16))

    company: Mapped["Company"] = relationship()  # noqa: F821
    goal: Mapped["Goal"] = relationship()  # noqa: F821
    captain: Mapped["User | None"] = relationship()  # noqa: F821
    members: Mapped[list["TeamMember"]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.slug}>"


class TeamMember(TimestampMixin, db.Model):
    # One team per person and workplace: company_id is here to make that a constraint.
    __table_args__ = (UniqueConstraint("user_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped["User"] = relationship()  # noqa: F821
