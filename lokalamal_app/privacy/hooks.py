"""Every feature that keeps personal data of its own, in one list: its part of the data
export and its step when a person is anonymised.

Set from create_app, so what runs never depends on which modules happen to be imported.
A feature with a new model that holds a person's data adds itself here (a test walks the
schema and fails until it does, or until the column is allowed with a reason).
"""

from . import queries, services


def install() -> None:
    """Wire the features' export sections and anonymising steps (idempotent)."""
    from ..activities import services as activities
    from ..companies import privacy as companies
    from ..ledger.services import forget_notes
    from ..milestones import privacy as milestones
    from ..payroll import privacy as payroll

    queries.set_export_sections([
        ("förfrågningar_om_att_gå_med", companies.export_join_requests),
        ("löneavdrag", payroll.export),
        ("delmål_du_satt", milestones.export_milestones),
        ("webhookar_du_lagt_till", milestones.export_webhooks),
        ("aktiviteter_du_berättat_om", activities.export_activities),
        ("reaktioner", activities.export_reactions),
        ("röster_om_kreativitet", activities.export_votes),
    ])
    services.set_listeners([
        forget_notes,
        companies.forget_join_requests,
        payroll.forget,
        activities.forget,
    ])
