"""Engagement beside the money: milestones with promises, intranet embedding, webhooks."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin


class Milestone(TimestampMixin, db.Model):
    """A promise at an amount: a team's (team_id set) or a workplace's (team_id empty).

    Measured on reported money in its campaign (all time when set outside a campaign).
    `reached_at` is set once, by a conditional UPDATE, and never cleared: a promise made
    stays made even when a correction later takes the total below the amount.
    """

    __table_args__ = (
        UniqueConstraint("company_id", "team_id", "amount_ore"),
        Index("ix_milestone_open", "company_id", "reached_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    promise: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    company: Mapped["Company"] = relationship()  # noqa: F821
    team: Mapped["Team | None"] = relationship()  # noqa: F821
    campaign: Mapped["Campaign | None"] = relationship()  # noqa: F821


class EmbedOrigin(TimestampMixin, db.Model):
    """An intranet origin ("https://intranat.example.se") allowed to frame the workplace's
    widget."""

    __table_args__ = (UniqueConstraint("company_id", "origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    origin: Mapped[str] = mapped_column(String(200))


class WebhookEndpoint(TimestampMixin, db.Model):
    """A Slack or Microsoft Teams incoming-webhook address a workplace posts news to."""

    __table_args__ = (UniqueConstraint("company_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "slack" or "teams"
    url: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class WebhookDelivery(TimestampMixin, db.Model):
    """One message to one webhook, written in the transaction that caused it and posted
    after its commit (see `lokalamal_app.webhooks.sender`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept when the endpoint is removed: the address is copied, the link cleared.
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="SET NULL"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
