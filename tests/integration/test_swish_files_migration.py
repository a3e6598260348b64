"""The Swish files migration: rows booked before it stay booked (with no file), and going
back drops the rows that only wait or were refused."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.staff import swish_import
from tests import factories


def test_booked_rows_stay_booked_and_a_downgrade_keeps_only_the_booked_ones(scratch_app):
    with scratch_app.app_context():
        upgrade()
        staff = factories.make_user(is_staff=True)
        team = factories.make_team(factories.make_company(), reference="LM101")
        factories.commit()
        day = clock.today().isoformat()
        report = swish_import.read(
            f"Datum;Belopp;Meddelande\n{day};100,00;LM101\n{day};50,00;Tack\n".encode())
        proposals = swish_import.propose(report.payments)
        swish_import.book(report, proposals, {p.payment.import_key for p in proposals}, staff)
        factories.commit()
        team_id = team.id
        db.session.remove()  # no open transaction may hold the tables the migration alters

        downgrade(revision="0018_reconciliation")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT team_id, amount_ore FROM swish_payment")).all()
            assert [tuple(r) for r in rows] == [(team_id, 100_00)]

        upgrade()
        db.session.remove()
        assert db.session.execute(text(
            "SELECT status, file_id FROM swish_payment")).one() == ("booked", None)
