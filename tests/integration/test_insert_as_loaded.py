"""A logged collection's entry and audit event are written with one plain INSERT each and
handed to the session as loaded: what the app then reads of them is what the database
holds, and the ORM's insert events still see them."""

from datetime import date, datetime

from sqlalchemy import event, inspect

from lokalamal_app import audit
from lokalamal_app.database import insert_as_loaded
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services
from lokalamal_app.models import AuditEvent, LedgerEntry
from lokalamal_app.models.base import as_utc
from tests import factories, statements


def _team():
    person = factories.make_user(email="lina@example.se", display_name="Lina Lund")
    company = factories.make_company(name="Mälarbyrån")
    factories.add_member(company, person)
    team = factories.make_team(company, captain=person)
    factories.commit()
    return team, person


def _columns(obj) -> dict:
    # SQLite gives times back without their zone (the app reads them with as_utc), as it
    # does for any object the ORM flushed and then loaded again.
    return {prop.key: as_utc(value) if isinstance(value, datetime) else value
            for prop in inspect(type(obj)).column_attrs
            for value in [getattr(obj, prop.key)]}


def test_a_logged_collection_is_two_inserts_and_reads_as_the_database_holds_it(app_ctx):
    team, person = _team()
    with statements.sent(db.engine) as seen:
        entry = services.record_collection(team, 120_00, date(2026, 11, 20), "swish",
                                           note="Lucia-fika", logged_by=person)
    inserts = [sql.split()[2] for sql, _ in seen if sql.lstrip().upper().startswith("INSERT")]
    assert inserts[:2] == ["ledger_entry", "audit_event"]
    assert entry in db.session and not db.session.new and not db.session.dirty
    event_row = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.subject_id == entry.id, AuditEvent.action == "collection.log")).scalar_one()
    written = {"entry": _columns(entry), "event": _columns(event_row)}
    entry_id = entry.id
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.get(LedgerEntry, entry_id)
    assert _columns(stored) == written["entry"]
    assert stored.note == "Lucia-fika" and stored.status == "pending"
    assert stored.created_at is not None and stored.received_reference == ""
    assert _columns(db.session.get(AuditEvent, written["event"]["id"])) == written["event"]


def test_the_mappers_insert_events_see_the_new_row(app_ctx):
    team, person = _team()
    seen = []

    def before(_mapper, _connection, target):
        seen.append(("before", target.id))

    def after(_mapper, _connection, target):
        seen.append(("after", target.id, target in db.session))

    event.listen(LedgerEntry, "before_insert", before)
    event.listen(LedgerEntry, "after_insert", after)
    try:
        entry = services.record_collection(team, 50_00, date(2026, 11, 20), "cash",
                                           logged_by=person)
    finally:
        event.remove(LedgerEntry, "before_insert", before)
        event.remove(LedgerEntry, "after_insert", after)
    assert seen == [("before", None), ("after", entry.id, True)]


def test_what_the_session_has_pending_is_written_first(app_ctx):
    team, person = _team()
    pending = audit.record("team.note", "team", team.id, actor=person)
    written = insert_as_loaded(AuditEvent, action="team.other", subject_type="team",
                               subject_id=team.id)
    assert pending.id is not None and pending.id < written.id
    assert written.before == "" and written.client_addr == "" and written.actor_id is None
    db.session.rollback()  # and both belong to the caller's transaction
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action.in_(["team.note", "team.other"]))).first() is None
