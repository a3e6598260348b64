"""What I logged, withdrawing it, and the second count of cash."""

from flask import abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...forms import EmptyForm
from ...permissions import is_company_member, is_staff
from ...redirects import go
from .. import bp, queries, services
from .common import entry_or_404, problem


@bp.get("/ledger/mine")
@login_required
def mine():
    """What I logged, with status and any reason; cash and box counts waiting for my
    second count."""
    from ...cashboxes.queries import awaiting_second_count  # noqa: PLC0415 (import cycle)

    entries = queries.entries_logged_by(current_user)
    box_counts = awaiting_second_count(current_user)
    # A box count is listed with its box, not twice.
    in_boxes = {c.entry_id for c in box_counts}
    to_count = [e for e in queries.awaiting_count(current_user) if e.id not in in_boxes]
    return render_template(
        "ledger/mine.html", entries=entries, to_count=to_count, box_counts=box_counts,
        reversed_ids=queries.reversed_ids([e.id for e in entries]), form=EmptyForm(),
    )


@bp.post("/ledger/entries/<int:entry_id>/withdraw")
@login_required
def withdraw(entry_id: int):
    """The logger takes a pending entry back (a reversal; nothing is deleted)."""
    entry = entry_or_404(entry_id)
    if entry.logged_by_id != current_user.id:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_entry(entry, current_user)
    except services.LedgerError as exc:
        return problem(str(exc))
    db.session.commit()
    flash(_("Posten är tillbakatagen och räknas inte längre."), "success")
    return go(url_for("ledger.mine"), code=303)


@bp.post("/ledger/entries/<int:entry_id>/confirm-count")
@login_required
def confirm_count(entry_id: int):
    """A second colleague confirms they counted the cash too."""
    entry = entry_or_404(entry_id)
    if not (is_staff(current_user) or is_company_member(current_user, entry.company)):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_count(entry, current_user)
    except services.LedgerError as exc:
        return problem(str(exc), exc.status)
    db.session.commit()
    flash(_("Tack! Ni har räknat kontanterna tillsammans och posten är attesterad. Den räknas som "
            "mottagen när pengarna har kommit in till stadsmissionen."), "success")
    return go(url_for("ledger.mine"), code=303)
