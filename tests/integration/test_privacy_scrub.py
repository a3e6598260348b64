"""Anonymising also removes the free text a person left behind: the notes on entries they
logged and their e-mail and name in audit events, while every amount and total stands."""

import json

from lokalamal_app import audit
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.ledger.check import differences as mismatches
from lokalamal_app.models import AuditEvent, LedgerEntry, Tally, User
from lokalamal_app.privacy import services
from lokalamal_app.staff import services as staff
from tests import factories as f

REMOVED = "(borttagen vid anonymisering)"


def _money():
    """Every fact about money in the database: entries without their notes, and totals."""
    entries = db.session.execute(
        db.select(LedgerEntry.id, LedgerEntry.team_id, LedgerEntry.amount_ore,
                  LedgerEntry.status, LedgerEntry.method, LedgerEntry.collected_on,
                  LedgerEntry.reverses_id, LedgerEntry.corrects_id, LedgerEntry.matches_id,
                  LedgerEntry.logged_by_id).order_by(LedgerEntry.id)
    ).all()
    tallies = db.session.execute(
        db.select(Tally.subject, Tally.subject_id, Tally.period, Tally.reported_ore,
                  Tally.received_ore, Tally.match_reported_ore, Tally.match_received_ore,
                  Tally.entry_count).order_by(Tally.subject, Tally.subject_id, Tally.period)
    ).all()
    return entries, tallies


def _events():
    return {ev.id: ev for ev in db.session.execute(db.select(AuditEvent)).scalars()}


def _team_with_notes():
    """Kajsa logs, withdraws and corrects with notes; a colleague logs one about her."""
    staff_member = f.make_user(is_staff=True, display_name="Sara Personal")
    admin = f.make_user(display_name="Adam Admin")
    company = f.make_company(admin=admin)
    kajsa = f.make_user(display_name="Kajsa Kapten", email="kajsa@example.se")
    colleague = f.make_user(display_name="Olle Kollega", email="olle@example.se")
    team = f.make_team(company, captain=kajsa)
    f.join_team(team, colleague)
    received = f.make_collection(team, amount_ore=1234_00, logged_by=kajsa,
                                 note="Swish från Anna Andersson")
    ledger.receive_entry(received, staff_member, "Bankgiro 2026-11-02 rad 4")
    withdrawn = f.make_collection(team, amount_ore=50_00, logged_by=kajsa, note="Fel lag")
    ledger.withdraw_entry(withdrawn, kajsa)
    wrong = f.make_collection(team, amount_ore=300_00, logged_by=kajsa, note="Bössan")
    ledger.correct_entry(wrong, kajsa, 310_00, wrong.collected_on, "cash", "Bössan, räknad",
                         "Räknade fel, sa Per")
    rejected = f.make_collection(team, amount_ore=80_00, logged_by=kajsa, note="Kakor")
    ledger.reject_entry(rejected, staff_member, "Pengarna kom aldrig fram")
    plain = f.make_collection(team, amount_ore=20_00, logged_by=kajsa)
    theirs = f.make_collection(team, amount_ore=700_00, logged_by=colleague,
                               note="Fika med Kajsa Kapten")
    return kajsa, colleague, staff_member, team, dict(
        received=received, withdrawn=withdrawn, wrong=wrong, rejected=rejected, plain=plain,
        theirs=theirs)


def test_notes_on_the_persons_entries_are_replaced_and_money_stays(app_ctx, runner):
    kajsa, colleague, staff_member, team, entries = _team_with_notes()
    f.commit()
    money_before = _money()
    assert mismatches() == []

    result = runner.invoke(args=["anonymise", "kajsa@example.se"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    notes = dict(db.session.execute(
        db.select(LedgerEntry.id, LedgerEntry.note).where(LedgerEntry.logged_by_id == kajsa.id)
    ).all())
    # Every note she wrote is gone (the corrected entry, its replacement and reversals too);
    # an entry she left without a note stays without one.
    assert notes.pop(entries["plain"].id) == ""
    assert set(notes.values()) == {REMOVED}
    assert len(notes) == 7
    # A colleague's note is theirs, and stays word for word.
    assert db.session.get(LedgerEntry, entries["theirs"].id).note == "Fika med Kajsa Kapten"
    # A staff member's rejection reason is a decision about money and stays.
    assert (db.session.get(LedgerEntry, entries["rejected"].id).status_reason
            == "Pengarna kom aldrig fram")
    # Not one amount, status, link or total has moved, and the ledger check agrees.
    assert _money() == money_before
    assert mismatches() == []
    check = runner.invoke(args=["ledger-check"])
    assert check.exit_code == 0, check.output
    assert "Alla summor stämmer" in check.output


def test_audit_events_lose_the_persons_address_and_name_but_stay(app_ctx):
    kajsa, colleague, staff_member, team, entries = _team_with_notes()
    staff.grant_staff(kajsa, staff_member)
    staff.revoke_staff(kajsa, staff_member)
    staff.grant_staff(colleague, staff_member)
    # What a feature might write: her details next to her id, and in free text.
    audit.record("feature.thing", "team", team.id, actor=staff_member,
                 before={"user_id": kajsa.id, "email": "gammal@example.se", "amount_ore": 500},
                 after={"user_id": kajsa.id, "display_name": "Kajsa Kapten",
                        "members": ["KAJSA KAPTEN", "Olle Kollega"],
                        "comment": "Ringde kajsa@example.se och Kajsa  Kapten om 500 kr",
                        "other": {"user_id": colleague.id, "email": "olle@example.se"}})
    f.commit()
    before = _events()

    services.anonymise_user(kajsa, actor=staff_member, reason="Mejl från kajsa@example.se")
    f.commit()

    db.session.expire_all()
    after = _events()
    # No event went missing; one was added, about the anonymisation.
    assert set(before) < set(after)
    (new_id,) = set(after) - set(before)
    for event_id, event in before.items():
        assert (after[event_id].action, after[event_id].subject_type,
                after[event_id].subject_id, after[event_id].actor_id) == (
            event.action, event.subject_type, event.subject_id, event.actor_id)
    text = " ".join(ev.before + ev.after for ev in after.values())
    assert "kajsa@example.se" not in text.casefold()
    assert "kajsa kapten" not in text.casefold().replace("  ", " ")
    # The other person's address and the team's numbers are untouched.
    assert "olle@example.se" in text

    granted = [ev for ev in after.values() if ev.action == "user.staff_granted"]
    assert {json.loads(ev.after)["email"] for ev in granted} == {REMOVED, "olle@example.se"}
    thing = next(ev for ev in after.values() if ev.action == "feature.thing")
    assert json.loads(thing.before) == {"user_id": kajsa.id, "email": REMOVED, "amount_ore": 500}
    assert json.loads(thing.after) == {
        "user_id": kajsa.id, "display_name": REMOVED, "members": [REMOVED, "Olle Kollega"],
        "comment": f"Ringde {REMOVED} och {REMOVED} om 500 kr",
        "other": {"user_id": colleague.id, "email": "olle@example.se"},
    }
    # The event about the anonymisation stays, with the reason but not the address in it,
    # and counts (never contents) of what was removed.
    event = after[new_id]
    assert (event.action, event.subject_type, event.subject_id, event.actor_id) == (
        "user.anonymise", "user", kajsa.id, staff_member.id)
    recorded = json.loads(event.after)
    assert recorded["reason"] == f"Mejl från {REMOVED}"
    assert recorded["removed"]["ledger_notes"] == 7
    assert recorded["removed"]["audit_events"] >= 3


def test_ledger_audit_events_keep_amounts_but_lose_her_reasons(app_ctx, login):
    kajsa, colleague, staff_member, team, entries = _team_with_notes()
    f.commit()
    before = {ev.id: (json.loads(ev.before or "{}"), json.loads(ev.after or "{}"))
              for ev in _events().values() if ev.subject_type == "ledger_entry"}

    response = login(kajsa).post("/account/delete",
                                 data={"password": f.PASSWORD, "confirm": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    after = {ev.id: ev for ev in _events().values() if ev.subject_type == "ledger_entry"}
    assert set(after) == set(before)
    for event_id, event in after.items():
        old_before, old_after = before[event_id]
        new_before = json.loads(event.before or "{}")
        new_after = json.loads(event.after or "{}")
        # Same keys, same amounts, ids, statuses and dates: only her free text differs.
        assert new_before.keys() == old_before.keys() and new_after.keys() == old_after.keys()
        for old, new in ((old_before, new_before), (old_after, new_after)):
            for key, value in old.items():
                if key == "reason" and event.actor_id == kajsa.id:
                    assert new[key] == REMOVED
                else:
                    assert new[key] == value, (event.action, key)
    reasons = {event.action: json.loads(event.after).get("reason") for event in after.values()}
    assert reasons["collection.withdraw"] == REMOVED
    assert reasons["collection.correct"] == REMOVED
    assert reasons["collection.reject"] == "Pengarna kom aldrig fram"
    assert mismatches() == []


def test_a_name_like_a_code_does_not_take_codes_out_of_the_audit_trail(app_ctx):
    admin = f.make_user()
    company = f.make_company(admin=admin)
    odd = f.make_user(display_name="swish", email="swish@example.se")
    team = f.make_team(company, captain=admin)
    f.make_collection(team, amount_ore=100_00, logged_by=admin, method="swish")
    f.commit()

    services.anonymise_user(odd, actor=None, reason="begäran")
    f.commit()

    logged = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "collection.log")
    ).scalar_one()
    assert json.loads(logged.after)["method"] == "swish"
    assert mismatches() == []


def test_anonymising_twice_over_the_same_data_changes_nothing_more(app_ctx):
    kajsa, colleague, staff_member, team, entries = _team_with_notes()
    f.commit()
    services.anonymise_user(kajsa, actor=None, reason="begäran")
    f.commit()
    snapshot = {ev.id: (ev.before, ev.after) for ev in _events().values()}

    # Another person's anonymisation passes over the same events; hers stay as they are.
    services.anonymise_user(colleague, actor=None, reason="begäran")
    f.commit()

    db.session.expire_all()
    for event_id, event in _events().items():
        if event_id in snapshot and event.actor_id != colleague.id:
            assert (event.before, event.after) == snapshot[event_id]
    assert db.session.get(LedgerEntry, entries["theirs"].id).note == REMOVED
    assert services.is_anonymised(db.session.get(User, kajsa.id))
    assert mismatches() == []
