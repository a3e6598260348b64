"""The ledger export for staff and workplace admins."""

from flask import render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import clock, csvexport
from ...models.ledger import METHODS, STATUSES
from ...permissions import any_company_admin_or_403, is_staff
from .. import bp, queries
from ..forms import ExportFilterForm


def _export_form() -> ExportFilterForm:
    form = ExportFilterForm(request.args)
    form.set_options(queries.goals(), queries.companies_for_filter(current_user),
                     _("Alla") if is_staff(current_user) else _("Mina arbetsplatser"))
    return form


@bp.get("/ledger/export")
@login_required
def export():
    """Choose what to export."""
    any_company_admin_or_403(current_user)
    form = _export_form()
    if request.args and not form.validate():
        return render_template("ledger/export.html", form=form), 422
    return render_template("ledger/export.html", form=form, query=request.query_string.decode())


@bp.get("/ledger/export.csv")
@login_required
def export_csv():
    """The ledger as CSV for Excel: admins their workplaces, staff everything."""
    any_company_admin_or_403(current_user)
    form = _export_form()
    if not form.validate():
        return render_template("ledger/export.html", form=form), 422
    if form.company.data:
        company_ids = [int(form.company.data)]
    elif is_staff(current_user):
        company_ids = None
    else:
        company_ids = queries.admin_company_ids(current_user)
    # The file is for the mission's Swedish bookkeeping: headers and labels stay Swedish.
    with force_locale("sv"):
        method_names = {key: str(label) for key, label in METHODS.items()}
        status_names = {key: str(label) for key, label in STATUSES.items()}
    header = ["post", "insamlat datum", "registrerad (UTC)", "arbetsplats", "lag", "mål",
              "belopp (kr)", "sätt", "status", "orsak", "anteckning", "registrerad av",
              "återför post", "rättar post", "attesterad av", "mottagen datum",
              "mottagen referens"]
    rows = (
        [r.id, r.collected_on, r.created_at, r.company, r.team, f"#{r.goal_number} {r.goal}",
         csvexport.kronor_cell(r.amount_ore), method_names.get(r.method, r.method),
         status_names.get(r.status, r.status), r.status_reason, r.note, r.logged_by,
         r.reverses_id, r.corrects_id, r.attested_by, r.received_on, r.received_reference]
        for r in queries.export_rows(
            company_ids, form.date_from.day, form.date_to.day,
            int(form.goal.data) if form.goal.data else None,
            int(form.team.data) if form.team.data else None,
            form.method.data or None, form.status.data or None,
        )
    )
    return csvexport.response(header, rows, f"lokalamal-insamlingar-{clock.today().isoformat()}.csv")
