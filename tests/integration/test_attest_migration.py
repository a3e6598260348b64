"""The migration from one "verified" state to attested and received: what the mission's
staff verified is received, what a workplace verified itself is attested, and every stored
figure follows, so ledger-check is clean right after the upgrade."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, services
from lokalamal_app.payroll import matching
from tests import challenge_helpers, factories


def test_verified_money_becomes_received_or_attested_by_who_confirmed_it(scratch_app):
    with scratch_app.app_context():
        upgrade()
        company, admin = challenge_helpers.workplace(name="Före AB")
        neighbour, their_admin = challenge_helpers.workplace(name="Granne AB")
        challenge_helpers.running(company, admin, [(neighbour, their_admin)])
        staff = factories.make_user(is_staff=True)
        giver = factories.make_user()
        team = factories.make_team(company, captain=giver)
        matching.add_rule(company, 50, 1_000_00, "all", clock.today(), None, admin)
        by_staff = factories.make_collection(team, 300_00, logged_by=giver)
        by_admin = factories.make_collection(team, 200_00, logged_by=giver)
        corrected = factories.make_collection(team, 100_00, logged_by=giver)
        factories.make_collection(team, 50_00, logged_by=giver)  # stays reported
        services.receive_entry(by_staff, staff, "Kvitto 1")
        services.attest_entry(by_admin, admin)  # and the employer matches it
        services.receive_entry(corrected, staff, "Kvitto 2")
        services.reverse_entry(corrected, staff, "Dubbelt")
        ids = {"by_staff": by_staff.id, "by_admin": by_admin.id, "corrected": corrected.id}
        factories.commit()
        db.session.remove()  # no open transaction may hold the tables the migration alters

        # Back to before: one state, "verified", and one stored figure for it.
        downgrade(revision="0016_orgnr_review")
        with db.engine.connect() as conn:
            statuses = set(conn.execute(text("SELECT status FROM ledger_entry")).scalars())
            assert statuses == {"verified", "pending"}
            assert conn.execute(text(
                "SELECT verified_ore FROM tally WHERE subject = 'all' AND period = 'all'"
            )).scalar_one() == 300_00 + 200_00 + 150_00 + 100_00  # and the employer's matches

        upgrade()
        db.session.remove()
        status = {name: db.session.execute(text(
            "SELECT status FROM ledger_entry WHERE id = :id"), {"id": entry_id}).scalar_one()
            for name, entry_id in ids.items()}
        assert status == {"by_staff": "received", "by_admin": "attested",
                          "corrected": "received"}
        assert set(db.session.execute(text(
            "SELECT status FROM ledger_entry WHERE method = 'match'")).scalars()) == {"attested"}
        # Everything together: the goals' rows (the overall row is gone since 0026).
        all_time = db.session.execute(text(
            "SELECT sum(reported_ore), sum(attested_ore), sum(received_ore) FROM tally "
            "WHERE subject = 'goal' AND period = 'all'")).one()
        # Reported: the gifts still counting and the matches; attested: all that was
        # verified; received: what the mission's staff verified.
        assert tuple(all_time) == (300_00 + 200_00 + 50_00 + 250_00, 750_00, 300_00)
        assert check.all_differences() == []
        db.session.remove()
