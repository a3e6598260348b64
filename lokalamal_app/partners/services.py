"""Writes for "Bli partner": store the inquiry, tell the mission by e-mail."""

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Goal, Inquiry, User
from ..models.base import utcnow
from ..notifications import notify


class InquiryError(ValueError):
    """The inquiry was refused; the message is Swedish."""


def too_many_recent(client_addr: str) -> bool:
    """Counted in the database, so the limit holds however many processes answer."""
    limit = current_app.config.get("INQUIRY_LIMIT_PER_HOUR", 3)
    since = utcnow() - timedelta(hours=1)
    count = db.session.execute(
        db.select(db.func.count(Inquiry.id)).where(
            Inquiry.client_addr == client_addr, Inquiry.created_at >= since
        )
    ).scalar_one()
    return count >= limit


def create_inquiry(values: dict, client_addr: str) -> Inquiry:
    """Save a partner inquiry and tell the mission's staff (in the app and by e-mail).

    Flushes, the caller commits."""
    if too_many_recent(client_addr):
        raise InquiryError(_(
            "Vi har redan fått flera förfrågningar härifrån den senaste timmen. "
            "Försök igen lite senare, eller mejla oss direkt."
        ))
    goal = db.session.get(Goal, values["goal_id"]) if values.get("goal_id") else None
    inquiry = Inquiry(
        company_name=values["company_name"],
        contact_name=values["contact_name"],
        email=values["email"].lower(),
        phone=values.get("phone") or "",
        goal_id=goal.id if goal else None,
        level=values["level"],
        message=values.get("message") or "",
        client_addr=client_addr[:45],
    )
    db.session.add(inquiry)
    db.session.flush()
    # Every staff account hears of it in the app and by e-mail (through the outbox),
    # each in their own language.
    staff = db.session.execute(
        db.select(User).where(User.is_staff.is_(True), User.disabled.is_(False))
    ).scalars()
    for person in staff:
        notify(person, LazyString(_inquiry_text, inquiry, goal), url_for("staff.inquiries"),
               email_subject=_l("Ny partnerförfrågan: %(company)s", company=inquiry.company_name))
    return inquiry


def _inquiry_text(inquiry: Inquiry, goal: Goal | None) -> str:
    """What staff are told of an inquiry, in the language in force."""
    level = inquiry.level_label.lower()
    if goal:
        wish = _("%(company)s vill bli %(level)s för %(goal)s.",
                 company=inquiry.company_name, level=level, goal=goal.title)
    else:
        wish = _("%(company)s vill bli %(level)s.", company=inquiry.company_name, level=level)
    contact = f"{inquiry.email}{', ' + inquiry.phone if inquiry.phone else ''}"
    text = wish + " " + _("Kontaktperson: %(name)s, %(contact)s.", name=inquiry.contact_name,
                          contact=contact)
    if inquiry.message:
        text += "\n\n" + inquiry.message
    return text
