"""Every column that points at a person or holds their e-mail, name or number is either in
the data export and handled by anonymising, or allowed below with the reason.

A new model with such a column makes `test_every_personal_column_is_decided` fail until
someone decides: cover it (export section, anonymising step in privacy.hooks, a row in
`_everything_about`) or allow it here with why.
"""

import json
import re
from dataclasses import dataclass, field

import pytest

from lokalamal_app import audit, clock
from lokalamal_app.extensions import db
from lokalamal_app.models import JoinRequest, MatchUsage, Milestone, Pledge, WebhookEndpoint
from lokalamal_app.notifications import notify
from lokalamal_app.payroll import months
from lokalamal_app.payroll import services as payroll
from lokalamal_app.privacy import queries, services
from tests import factories as f

# Column names that hold who someone is, besides foreign keys to user.id.
PERSONAL_NAME = re.compile(r"(mail|name|phone|employee|addr|contact|^to$)")


@dataclass
class Covered:
    """In the export under `section`; after anonymising the rows are `deleted`, or kept
    with `cleared` values (pointing at the anonymised row, which names nobody)."""

    section: str
    deleted: bool = False
    cleared: dict = field(default_factory=dict)


COVERED = {
    "user.email": Covered("konto"),
    "user.display_name": Covered("konto"),
    "membership.user_id": Covered("arbetsplatser", deleted=True),
    "team_member.user_id": Covered("lag", deleted=True),
    "team.captain_id": Covered("lag_du_är_kapten_för", deleted=True),
    "notification.user_id": Covered("meddelanden", deleted=True),
    "outbox_message.to": Covered("mejl_till_dig", deleted=True),
    "join_request.user_id": Covered("förfrågningar_om_att_gå_med", deleted=True),
    # Amounts and statuses stay for the totals; the note goes.
    "ledger_entry.logged_by_id": Covered("insamlingar_du_rapporterat",
                                         cleared={"note": audit.REMOVED}),
    # The gifts that count for the person: in the export; after anonymising they still
    # count (the totals, the match cap) for the anonymised row, which names nobody.
    "ledger_entry.giver_id": Covered("insamlingar_du_rapporterat"),
    # The event stays (what happened to which figure); where the person was goes.
    "audit_event.actor_id": Covered("händelser", cleared={"client_addr": ""}),
    # The pledge stays for the months already booked; the employee number goes.
    "pledge.user_id": Covered("löneavdrag", cleared={"employee_number": ""}),
    "pledge.employee_number": Covered("löneavdrag", cleared={"employee_number": ""}),
    # A booked month stays in the employer's books and the totals, by amount only.
    "payroll_deduction.user_id": Covered("löneavdrag"),
    # The used match is part of the totals and the yearly cap.
    "match_usage.user_id": Covered("löneavdrag"),
    # A promise is the team's and a webhook the workplace's: both stay, pointing at the
    # anonymised row.
    "milestone.created_by_id": Covered("delmål_du_satt"),
    "webhook_endpoint.created_by_id": Covered("webhookar_du_lagt_till"),
    # What the person wrote and photographed goes with them; so do their reactions.
    "activity.author_id": Covered("aktiviteter_du_berättat_om", deleted=True),
    "activity_reaction.user_id": Covered("reaktioner", deleted=True),
    # A vote stays in a challenge's result, for the anonymised row, which names nobody.
    "creativity_vote.user_id": Covered("röster_om_kreativitet"),
}

ALLOWED = {
    # Who did something to someone else's data or to a shared thing: a decision record.
    # It keeps pointing at the person's row, which after anonymising names nobody.
    "challenge.created_by_id": "who proposed a challenge for their team (actor)",
    "challenge_participant.answered_by_id": "who answered a challenge for a team (actor)",
    "company.created_by_id": "who registered the workplace (actor)",
    "company.checked_by_id": "the staff member who checked the workplace (actor)",
    "join_request.decided_by_id": "the admin who answered someone else's request (actor)",
    "ledger_entry.status_changed_by_id": "who attested, received or rejected an entry (actor)",
    "ledger_entry.attested_by_id": "who attested an entry for the workplace (actor)",
    "ledger_entry.count_confirmed_by_id": "the colleague who counted cash (actor)",
    "match_rule.created_by_id": "the admin who started a matching rule (actor)",
    "payroll_run.confirmed_by_id": "the admin who confirmed a payroll month (actor)",
    "swish_payment.imported_by_id": "the staff member who booked a bank row (actor)",
    "bank_file.imported_by_id": "the staff member who imported a BgMax file (actor)",
    "bank_payment.handled_by_id": "the staff member who booked or refused a bank row (actor)",
    "swish_file.imported_by_id": "the staff member who imported a Swish report (actor)",
    "swish_payment.handled_by_id": "the staff member who booked or refused a Swish row (actor)",
    "inquiry.handled_by_id": "the staff member who handled a partner inquiry (actor)",
    # Who had a collection box when: a custody record of the workplace's cash, which
    # keeps pointing at the person's row, naming nobody after anonymising.
    "cash_box.keeper_id": "the colleague who keeps a workplace's box (custody)",
    "cash_box_event.from_user_id": "who had a box before a handover (custody)",
    "cash_box_event.to_user_id": "who had a box after a handover (custody)",
    "cash_box_event.by_id": "who registered, handed over or sealed a box (actor)",
    # Names of things, not of people.
    "company.name": "a workplace's name", "company.name_key": "a workplace's name, folded",
    "team.name": "a team's name", "team.name_key": "a team's name, folded",
    "partner.name": "a partner company's name",
    "campaign.name": "a campaign's name",
    "round.name": "a round's name (a month, or what staff call it)",
    "round_honour.name": "the name of a team or workplace honoured for a round",
    "payroll_scheme.uses_employee_numbers": "a setting, no number",
    "user.show_name": "a setting, no name",
    # A partner inquiry from the public form is a company contact, not an account: it is
    # not tied to a person who can log in and download or delete their data.
    "inquiry.company_name": "the asking company's name",
    "inquiry.contact_name": "the contact of a partner inquiry (no account)",
    "inquiry.email": "the contact of a partner inquiry (no account)",
    "inquiry.phone": "the contact of a partner inquiry (no account)",
    "inquiry.client_addr": "where a partner inquiry came from (no account; rate limit)",
    # Bankgirot's file names the payer of a bank payment; it is the mission's bookkeeping
    # record of money received, not tied to an account here.
    "bank_payment.payer_name": "the payer Bankgirot names on a bank payment (no account)",
    "swish_payment.payer_name": "the payer a Swish report names (no account)",
    # Where an event came from: cleared for the person's own events (see COVERED above).
    "audit_event.client_addr": "covered through audit_event.actor_id",
}


def _personal_columns(app):
    found = {}
    with app.app_context():
        for table in db.metadata.tables.values():
            for column in table.columns:
                to_user = any(fk.target_fullname == "user.id" for fk in column.foreign_keys)
                if to_user or PERSONAL_NAME.search(column.name):
                    found[f"{table.name}.{column.name}"] = column
    return found


def test_every_personal_column_is_decided(app):
    columns = _personal_columns(app)
    undecided = sorted(set(columns) - set(COVERED) - set(ALLOWED))
    assert not undecided, f"Export and anonymise these, or allow them with a reason: {undecided}"
    # No stale decisions: every entry names a column that exists, and only once.
    assert not (set(COVERED) | set(ALLOWED)) - set(columns)
    assert not set(COVERED) & set(ALLOWED)


def _everything_about(person, admin):
    """The person with a row in every covered table."""
    company = f.make_company(admin=admin)
    f.add_member(company, person)
    team = f.make_team(company, captain=person)
    other = f.make_company(admin=admin)
    db.session.add(JoinRequest(company_id=other.id, user_id=person.id, message="Hej, släpp in mig"))
    f.make_collection(team, amount_ore=300_00, logged_by=person, note="Fika hos Kajsa")
    notify(person, "Din insamling är mottagen", email_subject="Mottagen")
    audit.record("account.update", "user", person.id, actor=person, after={"x": 1})
    db.session.flush()
    db.session.execute(db.update(audit.AuditEvent).where(audit.AuditEvent.actor_id == person.id)
                       .values(client_addr="192.0.2.7"))
    payroll.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                        min_monthly_ore=0, closing_day=25, uses_employee_numbers=True,
                        actor=admin)
    last = months.previous_month(months.month_of(clock.today()))
    pledge = Pledge(company_id=company.id, user_id=person.id, kind="fixed", amount_ore=200_00,
                    employee_number="E-4711", start_month=last)
    db.session.add(pledge)
    db.session.flush()
    payroll.confirm_month(company, last, {}, admin, clock.today())
    db.session.add(MatchUsage(company_id=company.id, user_id=person.id, year=clock.today().year,
                              matched_ore=100_00))
    db.session.add(Milestone(company_id=company.id, team_id=team.id, amount_ore=1_000_00,
                             promise="Tårta", created_by_id=person.id))
    db.session.add(WebhookEndpoint(company_id=company.id, kind="slack",
                                   url="https://hooks.slack.com/services/T0/B0/x",
                                   created_by_id=person.id))
    _activities_of(person, admin, company, other)
    f.commit()
    return pledge


def _activities_of(person, admin, company, other):
    """An activity the person posted, their reaction to it, and their vote in a challenge
    for the other workplace's activity."""
    from datetime import timedelta

    from lokalamal_app.activities import services as activities
    from lokalamal_app.models import Challenge, CreativityVote, Team

    team = db.session.execute(db.select(Team).where(Team.company_id == company.id)).scalar_one()
    mine = activities.post_activity(team, person, clock.today(), "walk", "Promenad", 2, True)
    activities.toggle_reaction(mine, person, "clap")
    theirs = activities.post_activity(f.make_team(other, captain=admin), admin, clock.today(),
                                      "quiz", "Quizlunch", 0, True)
    challenge = Challenge(challenger_id=company.id, starts_on=clock.today() - timedelta(days=3),
                          ends_on=clock.today(), status="accepted")
    db.session.add(challenge)
    db.session.flush()
    db.session.add(CreativityVote(challenge_id=challenge.id, activity_id=theirs.id,
                                  user_id=person.id, voter_company_id=company.id))


def _rows(app, key, value):
    table, column = key.split(".")
    t = db.metadata.tables[table]
    return db.session.execute(db.select(t).where(t.c[column] == value)).mappings().all()


# Writes a match usage row by hand (no match entry behind it) to see it exported.
@pytest.mark.ledger_tampered
def test_every_covered_column_is_exported_and_anonymised(app, app_ctx):
    admin = f.make_user()
    person = f.make_user(display_name="Kajsa Kapten", email="kajsa@example.se")
    pledge = _everything_about(person, admin)
    uid, email = person.id, person.email

    def value_for(key):
        if key == "outbox_message.to":
            return email
        if key == "pledge.employee_number":
            return pledge.employee_number
        return email if key == "user.email" else (
            person.display_name if key == "user.display_name" else uid)

    before = {key: value_for(key) for key in COVERED}
    for key, value in before.items():
        assert _rows(app, key, value), f"{key}: the test has no row for it; add one above"

    exported = queries.personal_data(person)
    text = json.dumps(exported, ensure_ascii=False)
    for key, covered in COVERED.items():
        assert exported.get(covered.section), f"{key}: nothing under {covered.section!r}"
    assert "E-4711" in text and "Hej, släpp in mig" in text

    services.anonymise_user(person, actor=None, reason="test")
    f.commit()
    for key, covered in COVERED.items():
        table, column = key.split(".")
        if table == "user":
            assert not _rows(app, key, before[key]), f"{key} still holds the old value"
            continue
        rows = _rows(app, key, uid if column.endswith("_id") else before[key])
        if covered.deleted:
            assert not rows, f"{key}: rows are left after anonymising"
        for row in rows:
            for name, value in covered.cleared.items():
                assert row[name] == value, f"{key}: {name} is still {row[name]!r}"
    # What the person gave stays in the totals; the pledge no longer runs.
    db.session.expire_all()
    first_open = payroll.next_payroll_month(pledge.company, payroll.scheme_for(pledge.company),
                                            clock.today())
    assert db.session.get(Pledge, pledge.id).end_month < first_open


def test_anonymising_is_wired_from_an_explicit_list(app):
    from lokalamal_app.ledger.services import forget_notes

    assert forget_notes in services._listeners
    assert all(getattr(listener, "anonymises", True) for listener in services._listeners)
    assert len(services._listeners) == len(set(services._listeners))
