"""A workplace taking the lead in a challenge, told to the workplaces' Slack or Teams channels.

A lead change is found after the fact from the ledger, by the same detection the TV uses
(`leaderboards.events.challenge_leads`). `send-webhooks` first queues the lead changes since
the last entry it looked at (a cursor in the settings table, read with a row lock, so two
runs at once never queue one twice), then posts what is due.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..leaderboards import events
from ..models import ChallengeParticipant
from ..models.setting import Setting
from .services import queue_event

CURSOR_KEY = "webhooks_lead_cursor"


def _locked_cursor() -> Setting | None:
    """The cursor's row, locked until the caller's transaction ends; on the very first run
    it is created at the latest entry (what happened before is old news), and None comes
    back when another run created it at the same moment."""
    row = db.session.execute(
        select(Setting).where(Setting.key == CURSOR_KEY).with_for_update()).scalar_one_or_none()
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(Setting(key=CURSOR_KEY, value=str(events.latest_entry_id())))
    except IntegrityError:
        return None
    return None


def queue_lead_changes() -> int:
    """Queue a message to every accepted workplace of a challenge whose lead changed since
    the last run; how many lead changes were found. Commits."""
    row = _locked_cursor()
    if row is None:
        db.session.commit()
        return 0
    found, upto = events.events_since(int(row.value or 0))
    leads = [event for event in found if event.kind == "challenge_lead"]
    for event in leads:
        companies = db.session.execute(
            select(ChallengeParticipant.company_id).where(
                ChallengeParticipant.challenge_id == event.challenge_id,
                ChallengeParticipant.status == "accepted")).scalars().all()
        link = f"/challenges/{event.challenge_id}"  # made absolute with the public address
        for company_id in companies:
            queue_event(company_id, "challenge_lead",
                        {"text": event.text, "link": link, "challenge_id": event.challenge_id})
    row.value = str(upto)
    db.session.commit()
    return len(leads)
