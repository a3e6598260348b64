"""The mission's staff acting at the same moment: two of them taking each other's staff
rights leave one who can act, and a workplace's claim refused by two at once is refused
(and its admins told) once.

Each round the two requests are released together (tests/races.py); the tests run on both
databases, and only PostgreSQL shows a race.
"""

from lokalamal_app.extensions import db
from lokalamal_app.models import AuditEvent, Company, Notification, User
from tests import factories
from tests.races import statuses_at_once

ROUNDS = 5


def test_two_staff_taking_each_others_rights_at_once_leave_one_with_rights(app_ctx, login):
    for _ in range(ROUNDS):
        first, second = factories.make_user(is_staff=True), factories.make_user(is_staff=True)
        factories.commit()
        answers = statuses_at_once((login(first), f"/staff/people/{second.id}/revoke"),
                           (login(second), f"/staff/people/{first.id}/revoke"))
        assert 500 not in answers
        still = db.session.execute(db.select(db.func.count(User.id)).where(
            User.id.in_((first.id, second.id)), User.is_staff.is_(True))).scalar_one()
        assert still == 1
        # The next round's pair: nobody else holds the rights the tests look at.
        db.session.execute(db.update(User).where(User.is_staff.is_(True))
                           .values(is_staff=False))
        factories.commit()


def test_a_claim_refused_by_two_staff_at_once_is_refused_and_told_once(app_ctx, login):
    first, second = factories.make_user(is_staff=True), factories.make_user(is_staff=True)
    for round_number in range(ROUNDS):
        admin = factories.make_user()
        holder = factories.make_company(name=f"Innehavaren {round_number} AB")
        claimant = factories.make_company(admin=admin, name=f"Anspråket {round_number} AB")
        claimant.claimed_org_number, claimant.orgnr_status = "5560360793", "review"
        holder.org_number = "5560360793" if round_number == 0 else None
        factories.commit()
        url = f"/staff/workplaces/{claimant.slug}/reject-claim"
        answers = statuses_at_once((login(first), url), (login(second), url))
        assert sorted(answers) == [302, 409]
        assert db.session.get(Company, claimant.id, populate_existing=True).orgnr_status == \
            "rejected"
        assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "company.orgnr_reject",
            AuditEvent.subject_id == claimant.id)).scalar_one() == 1
        assert db.session.execute(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == admin.id)).scalar_one() == 1


def test_a_partner_deleted_by_two_staff_at_once_is_deleted_once(app_ctx, login):
    from lokalamal_app.models import Partner

    first, second = factories.make_user(is_staff=True), factories.make_user(is_staff=True)
    factories.commit()
    for round_number in range(ROUNDS):
        partner = Partner(name=f"Partnern {round_number} AB", goal_id=factories.goal(3).id)
        db.session.add(partner)
        factories.commit()
        partner_id = partner.id
        url = f"/staff/partners/{partner_id}/delete"
        answers = statuses_at_once((login(first), url), (login(second), url))
        # The second either lost the race (409) or came after and found nothing (404).
        assert answers.count(302) == 1 and set(answers) - {302} <= {404, 409}
        assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "partner.delete", AuditEvent.subject_id == partner_id,
            # SQLite gives a deleted row's id to the next one: this round's partner only.
            AuditEvent.before.contains(f"Partnern {round_number} AB"))).scalar_one() == 1


def test_a_partner_changed_after_another_staff_member_deleted_it_is_a_409(
        app_ctx, login, monkeypatch):
    """Saved a moment after someone else deleted it (between this request's read and its
    write): the UPDATE finds no row; the answer is 409 and nothing is written, not a 500."""
    from sqlalchemy import text

    from lokalamal_app.models import Partner
    from lokalamal_app.staff import services

    staff = factories.make_user(is_staff=True)
    partner = Partner(name="Borta AB", goal_id=factories.goal(3).id)
    db.session.add(partner)
    factories.commit()
    partner_id, save = partner.id, services.save_partner

    def deleted_meanwhile(found, *args, **kwargs):
        # As another request would: straight in the table, behind this session's back.
        db.session.connection().execute(text("DELETE FROM partner WHERE id = :id"),
                                        {"id": partner_id})
        return save(found, *args, **kwargs)

    monkeypatch.setattr(services, "save_partner", deleted_meanwhile)
    response = login(staff).post(f"/staff/partners/{partner_id}", data={
        "goal": str(factories.goal(3).id), "name": "Nytt namn AB", "level": "partner",
        "url": "", "position": "0"})
    assert response.status_code == 409
    assert "Det här hann någon annan" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Partner, partner_id).name == "Borta AB"  # the delete rolled back too
    assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.action == "partner.update")).scalar_one() == 0
