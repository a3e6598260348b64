"""Reads about one person: everything the app stores about them, as plain data."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import (
    AuditEvent,
    Company,
    LedgerEntry,
    Membership,
    Notification,
    OutboxMessage,
    Team,
    TeamMember,
    User,
)
from ..models.base import as_utc
from ..money import format_ore

# Features with their own personal data add a section, listed in privacy.hooks:
# `name, exporter(user) -> JSON data`.
_sections: list[tuple[str, Callable[[User], Any]]] = []


def set_export_sections(sections: list[tuple[str, Callable[[User], Any]]]) -> None:
    """The features' parts of the data export, in order (from privacy.hooks)."""
    _sections[:] = sections


def _when(value: datetime | date | None) -> str | None:
    if isinstance(value, datetime):
        return as_utc(value).astimezone(UTC).isoformat()
    return value.isoformat() if value is not None else None


def who_sees_my_name(user: User) -> str:
    """The rule of names.py for this person, in words (export, privacy page)."""
    if user.show_name:
        return _("Alla ser ditt namn, eftersom du har valt ”Visa mitt namn för alla”.")
    return _("Dina kollegor på arbetsplatsen och stadsmissionens personal ser ditt namn. "
             "Alla andra ser ”En medarbetare”.")


def personal_data(user: User) -> dict[str, Any]:
    """All the data about `user`, for the download (a handful of queries, no N+1)."""
    memberships = db.session.execute(
        db.select(Membership, Company.name)
        .join(Company, Company.id == Membership.company_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.id)
    ).all()
    teams = db.session.execute(
        db.select(TeamMember, Team.name, Company.name)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Company, Company.id == TeamMember.company_id)
        .where(TeamMember.user_id == user.id)
        .order_by(TeamMember.id)
    ).all()
    entries = db.session.execute(
        db.select(LedgerEntry, Team.name)
        .join(Team, Team.id == LedgerEntry.team_id)
        .where((LedgerEntry.logged_by_id == user.id) | (LedgerEntry.giver_id == user.id))
        .order_by(LedgerEntry.id)
    ).all()
    notifications = db.session.execute(
        db.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).scalars()
    captain_of = db.session.execute(
        db.select(Team.name).where(Team.captain_id == user.id).order_by(Team.id)
    ).scalars().all()
    mail = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.to == user.email)
        .order_by(OutboxMessage.id)
    ).scalars()
    events = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
    ).scalars()

    data: dict[str, Any] = {
        "konto": {
            "id": user.id,
            "e-post": user.email,
            "namn": user.display_name,
            "namnet_visas_för_alla": user.show_name,
            "vem_ser_ditt_namn": who_sees_my_name(user),
            "språk": user.locale,
            "personal_på_stadsmissionen": user.is_staff,
            "skapat": _when(user.created_at),
            "senast_inloggad": _when(user.last_login_at),
        },
        "arbetsplatser": [
            {"arbetsplats": name, "roll": m.role, "sedan": _when(m.created_at)}
            for m, name in memberships
        ],
        "lag": [
            {"lag": team_name, "arbetsplats": company_name, "sedan": _when(tm.created_at)}
            for tm, team_name, company_name in teams
        ],
        "lag_du_är_kapten_för": list(captain_of),
        "insamlingar_du_rapporterat": [
            {
                "id": e.id,
                "lag": team_name,
                "belopp_ore": e.amount_ore,
                "belopp": format_ore(e.amount_ore),
                "insamlat_datum": _when(e.collected_on),
                "sätt": e.method_label,
                "anteckning": e.note,
                "status": e.status_label,
                "rapporterad": _when(e.created_at),
                "du_rapporterade": e.logged_by_id == user.id,
                "räknas_för_dig": e.giver_id == user.id,
            }
            for e, team_name in entries
        ],
        "meddelanden": [
            {"text": n.text, "länk": n.link, "skickat": _when(n.created_at),
             "läst": _when(n.read_at)}
            for n in notifications
        ],
        "mejl_till_dig": [
            {"ämne": m.subject, "skapat": _when(m.created_at), "skickat": _when(m.sent_at)}
            for m in mail
        ],
        "händelser": [
            {"händelse": ev.action, "gäller": ev.subject_type, "id": ev.subject_id,
             "när": _when(ev.created_at), "från_adress": ev.client_addr}
            for ev in events
        ],
    }
    for name, exporter in _sections:
        data[name] = exporter(user)
    return data
