"""The audit trail of money figures, as a page and as CSV."""

from flask import render_template, request
from flask_login import current_user, login_required

from ... import csvexport
from ...inputs import int_arg
from ...permissions import staff_or_403
from .. import bp, queries


@bp.get("/ledger/audit")
@login_required
def audit():
    """The audit trail for staff, newest first."""
    staff_or_403(current_user)
    page = int_arg("page", 1, minimum=1, maximum=10**6 - 1)
    action = request.args.get("action", "").strip()[:40] or None
    per_page = 100
    events = queries.audit_events(per_page + 1, (page - 1) * per_page, action)
    return render_template("ledger/audit.html", events=events[:per_page], page=page,
                           has_more=len(events) > per_page, action=action or "")


@bp.get("/ledger/audit.csv")
@login_required
def audit_csv():
    """Every audit event as CSV (streamed)."""
    staff_or_403(current_user)
    header = ["id", "tid (UTC)", "vem", "händelse", "gäller", "id", "före", "efter", "adress"]
    rows = (
        [r.id, r.created_at, r.actor_email, r.action, r.subject_type, r.subject_id,
         r.before, r.after, r.client_addr]
        for r in queries.all_audit_events()
    )
    return csvexport.response(header, rows, "lokalamal-granskning.csv")
