"""Which campaigns there are, and which one is running, without a query per ledger change.

Logging a collection must count it in every campaign whose dates contain the day it was
collected, in the same fixed few statements as before. So each process keeps the list of
campaigns in memory and reloads it when it is older than CAMPAIGN_CACHE_SECONDS, when the
date has changed since it was loaded, and at once when this process adds a campaign.

That is enough to keep the totals exact because a campaign added in the app starts
tomorrow at the earliest (staff/services.add_campaign): no entry can be dated in it yet
(collections are never dated in the future), and every process reloads the list when the
date changes, before the campaign's first day, and within a cache period anyway. Campaigns
put in another way (the migration, a shell) need `ledger-rebuild` and, in running
servers, the cache period to pass.
"""

import threading
import time
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import clock
from .database import bind_key
from .extensions import db
from .models import Campaign


def today() -> date:
    """The date that decides which campaign is running: Stockholm's, from the one clock."""
    return clock.today()


@dataclass(frozen=True)
class CampaignInfo:
    """What the ledger and the pages need of a campaign, safe to keep between requests."""

    id: int
    name: str
    starts_on: date
    ends_on: date | None

    @property
    def period(self) -> str:
        return f"c{self.id}"

    def contains(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


_lock = threading.Lock()
# Database URL -> (monotonic time loaded, date loaded, campaigns oldest first).
_cache: dict[str, tuple[float, date, tuple[CampaignInfo, ...]]] = {}


def load() -> tuple[CampaignInfo, ...]:
    """Every campaign, oldest first, read from the database now (one query)."""
    rows = db.session.execute(
        db.select(Campaign.id, Campaign.name, Campaign.starts_on, Campaign.ends_on)
        .order_by(Campaign.starts_on, Campaign.id)
    ).all()
    return tuple(CampaignInfo(*row) for row in rows)


def all_campaigns() -> tuple[CampaignInfo, ...]:
    """Every campaign, oldest first, from this process's copy (see the module's text)."""
    ttl = float(current_app.config.get("CAMPAIGN_CACHE_SECONDS", 60))
    key = bind_key()
    now, day = time.monotonic(), today()
    seen = _cache.get(key)
    if seen is not None and now - seen[0] < ttl and seen[1] == day:
        return seen[2]
    campaigns = load()
    with _lock:
        _cache[key] = (now, day, campaigns)
    return campaigns


def forget() -> None:
    """Drop this process's copy: the next use reads the campaigns again."""
    with _lock:
        _cache.clear()


def containing(day: date, campaigns=None) -> list[CampaignInfo]:
    """The campaigns whose dates contain `day`."""
    return [c for c in (all_campaigns() if campaigns is None else campaigns) if c.contains(day)]


def current() -> CampaignInfo | None:
    """The running campaign: the latest-starting one that contains today, or None."""
    running = containing(today())
    return running[-1] if running else None


_CHANGED = "lokalamal_campaigns_changed"


def changed(session: Session) -> None:
    """Say that this transaction changes the campaigns: forget the copy now (this
    transaction sees its own change) and again when it ends, committed or not."""
    forget()
    session.info[_CHANGED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_after_change(session: Session, transaction) -> None:
    if transaction.parent is None and session.info.pop(_CHANGED, False):
        forget()
