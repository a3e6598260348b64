"""Staff writes. Each enforces its rule, writes an audit event and flushes; never commits."""

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import text

from .. import audit, campaigns, settings
from ..extensions import db
from ..ledger import totals
from ..models import Campaign, Goal, ImpactLine, Inquiry, Partner, User
from ..models.base import utcnow
from ..partners import logos


class StaffError(ValueError):
    """A staff action was refused; the message is Swedish."""


class CampaignDatesError(StaffError):
    """A new campaign's dates do not fit; `field` is the form field the message is for."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _lock_staff(user: User, actor: User) -> None:
    """Staff rights change one at a time, each deciding from what was committed: the staff
    accounts' rows are locked (FOR NO KEY UPDATE: what they log meanwhile is not held up)
    and the people concerned read again. Of two staff members taking each other's rights
    at the same moment the second is refused, so the mission keeps someone who can act;
    a right given twice at once is given once."""
    db.session.execute(
        db.select(User.id).where(User.is_staff.is_(True)).order_by(User.id)
        .with_for_update(key_share=True)).all()
    db.session.refresh(user, ["is_staff"])
    db.session.refresh(actor, ["is_staff"])
    if not actor.is_staff:
        raise StaffError(_("Du har inte längre personalbehörighet."))


def grant_staff(user: User, actor: User) -> User:
    """Give an account the mission's staff rights."""
    _lock_staff(user, actor)
    if user.is_staff:
        raise StaffError(_("Kontot har redan personalbehörighet."))
    user.is_staff = True
    audit.record("user.staff_granted", "user", user.id, actor=actor,
                 before={"is_staff": False}, after={"is_staff": True, "email": user.email})
    db.session.flush()
    return user


def revoke_staff(user: User, actor: User) -> User:
    """Take staff rights away; nobody removes their own, so the mission is never locked out."""
    _lock_staff(user, actor)
    if not user.is_staff:
        raise StaffError(_("Kontot har inte personalbehörighet."))
    if user.id == actor.id:
        raise StaffError(_("Du kan inte ta bort din egen behörighet. Be en kollega göra det."))
    user.is_staff = False
    audit.record("user.staff_revoked", "user", user.id, actor=actor,
                 before={"is_staff": True}, after={"is_staff": False, "email": user.email})
    db.session.flush()
    return user


def _goal_snapshot(goal: Goal) -> dict:
    return {"title": goal.title, "summary": goal.summary, "body": goal.body,
            "title_en": goal.title_en, "summary_en": goal.summary_en, "body_en": goal.body_en,
            "un_goals": goal.un_goals}


def update_goal(goal: Goal, values: dict, actor: User) -> Goal:
    """Change a goal's texts and linked UN goals; shown at once on the goal page."""
    before = _goal_snapshot(goal)
    goal.title = values["title"]
    goal.summary = values["summary"]
    goal.body = values["body"].replace("\r\n", "\n")
    goal.title_en = values.get("title_en") or ""
    goal.summary_en = values.get("summary_en") or ""
    goal.body_en = (values.get("body_en") or "").replace("\r\n", "\n")
    goal.un_goals = ",".join(str(n) for n in sorted(set(values["un_goals"])))
    after = _goal_snapshot(goal)
    if after != before:
        audit.record("goal.edit", "goal", goal.id, actor=actor, before=before, after=after)
    db.session.flush()
    return goal


def add_impact_line(goal: Goal, amount_ore: int, text: str, position: int, actor: User,
                    text_en: str = ""):
    """Add an "X kr = ..." line to a goal (with its English version, if written)."""
    if amount_ore <= 0:
        raise StaffError(_("Beloppet måste vara större än noll."))
    line = ImpactLine(goal_id=goal.id, amount_ore=amount_ore, text=text, position=position or 0,
                      text_en=text_en or "")
    db.session.add(line)
    db.session.flush()
    audit.record("impact.add", "goal", goal.id, actor=actor,
                 after={"line_id": line.id, "amount_ore": amount_ore, "text": text,
                        "text_en": line.text_en})
    return line


def delete_impact_line(line: ImpactLine, actor: User) -> None:
    audit.record("impact.delete", "goal", line.goal_id, actor=actor,
                 before={"line_id": line.id, "amount_ore": line.amount_ore, "text": line.text})
    db.session.delete(line)
    db.session.flush()


def _partner_snapshot(p: Partner) -> dict:
    return {"goal_id": p.goal_id, "name": p.name, "level": p.level, "url": p.url,
            "position": p.position, "logo": p.logo_type or None}


def save_partner(partner: Partner | None, values: dict, logo_data: bytes | None,
                 actor: User) -> Partner:
    """Create or change a partner; a logo is checked (type by content, size, SVG cleaned)."""
    checked = logos.check(logo_data) if logo_data else None  # raises LogoError first
    before = _partner_snapshot(partner) if partner else None
    if partner is None:
        partner = Partner()
        db.session.add(partner)
    partner.goal_id = values["goal_id"]
    partner.name = values["name"]
    partner.level = values["level"]
    partner.url = values["url"] or ""
    partner.position = values.get("position") or 0
    if checked:
        partner.logo, partner.logo_type = checked
    elif values.get("remove_logo"):
        partner.logo, partner.logo_type = None, ""
    db.session.flush()
    audit.record("partner.add" if before is None else "partner.edit", "partner", partner.id,
                 actor=actor, before=before, after=_partner_snapshot(partner))
    return partner


def delete_partner(partner: Partner, actor: User) -> None:
    audit.record("partner.delete", "partner", partner.id, actor=actor,
                 before=_partner_snapshot(partner))
    db.session.delete(partner)
    db.session.flush()


def mark_inquiry_handled(inquiry: Inquiry, actor: User) -> Inquiry:
    # One conditional UPDATE: of two staff marking it at once, the second is told.
    marked = db.session.execute(
        db.update(Inquiry).where(Inquiry.id == inquiry.id, Inquiry.handled_at.is_(None))
        .values(handled_at=utcnow(), handled_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if marked != 1:
        raise StaffError(_("Förfrågan är redan hanterad."))
    db.session.refresh(inquiry)
    audit.record("inquiry.handled", "inquiry", inquiry.id, actor=actor,
                 after={"company": inquiry.company_name})
    db.session.flush()
    return inquiry


def save_settings(swish_number: str, tax_reduction_approved: bool, actor: User,
                  bankgiro_number: str | None = None, cash_instructions: str | None = None,
                  cash_instructions_en: str | None = None) -> None:
    """Change the payment settings and the gift-recipient setting (each change audited);
    a setting passed as None is left as it is."""
    changes = {"swish_number": swish_number, "bankgiro_number": bankgiro_number,
               "cash_instructions": cash_instructions,
               "cash_instructions_en": cash_instructions_en}
    for key, value in changes.items():
        if value is not None and settings.get(key) != value:
            settings.put(key, value, actor=actor)
    flag = "1" if tax_reduction_approved else ""
    if settings.get("tax_reduction_approved") != flag:
        settings.put("tax_reduction_approved", flag, actor=actor)


def campaign_problem(starts_on, ends_on, today) -> tuple[str, str] | None:
    """What is wrong with a new campaign's dates, as (field, message), or None.

    It starts tomorrow at the earliest: no collection can be dated in it yet, so no stored
    figure has to be recomputed and every server knows it before its first day (see
    campaigns.py). It may not overlap another campaign, except the running open one,
    which then ends the day before (`add_campaign`)."""
    if starts_on <= today:
        return "starts_on", _("En ny kampanj kan börja tidigast i morgon.")
    if ends_on is not None and ends_on <= starts_on:
        return "ends_on", _("Sista dagen måste komma efter den första.")
    for other in campaigns.load():
        if other.ends_on is None and other.starts_on < starts_on:
            continue  # the open campaign ends the day before this one starts
        if other.starts_on <= (ends_on or date.max) and starts_on <= (other.ends_on or date.max):
            return "starts_on", _("Datumen krockar med kampanjen %(name)s.", name=other.name)
    return None


def _lock_campaigns() -> None:
    """Campaigns change one at a time. On PostgreSQL a table lock that every reader passes
    and another change waits for (the campaign it must not overlap may be one being added
    at this moment: there is no row yet to lock); SQLite has one writer at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE campaign IN SHARE ROW EXCLUSIVE MODE"))


def add_campaign(name: str, starts_on, ends_on, actor: User) -> Campaign:
    """Start planning a new campaign; an open campaign before it ends the day before.

    Raises CampaignDatesError when the dates do not fit (`campaign_problem`), decided
    with the campaigns locked: two added at the same moment never overlap, and a
    collection never counts in two campaigns."""
    _lock_campaigns()
    problem = campaign_problem(starts_on, ends_on, campaigns.today())
    if problem is not None:
        raise CampaignDatesError(*problem)
    open_before = db.session.execute(
        db.select(Campaign).where(Campaign.ends_on.is_(None), Campaign.starts_on < starts_on)
    ).scalars().all()
    for running in open_before:
        running.ends_on = starts_on - timedelta(days=1)
        audit.record("campaign.close", "campaign", running.id, actor=actor,
                     before={"ends_on": None}, after={"ends_on": running.ends_on.isoformat()})
    campaign = Campaign(name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(campaign)
    db.session.flush()
    audit.record("campaign.add", "campaign", campaign.id, actor=actor, after={
        "name": name, "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
    })
    campaigns.changed(db.session())
    totals.bump_board_version()  # boards show the campaign's name and dates
    db.session.flush()
    return campaign
