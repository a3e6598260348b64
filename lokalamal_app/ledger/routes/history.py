"""Corrections and an entry's whole history."""

from flask import flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...forms import EmptyForm
from ...money import ore_to_input
from ...permissions import ledger_admin_or_403
from ...redirects import go
from .. import bp, queries, services
from ..forms import CorrectionForm
from .common import entry_or_404


@bp.route("/ledger/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required
def correct(entry_id: int):
    """An admin replaces an entry: its reversal plus a new, linked entry."""
    entry = entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    form = CorrectionForm()
    form.keep_method(entry.method)
    if not form.is_submitted():
        form.amount.data = ore_to_input(entry.amount_ore)
        form.collected_on.data = entry.collected_on.isoformat()
        form.method.data = entry.method
        form.note.data = entry.note
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("ledger/correct.html", entry=entry, form=form), status
    try:
        new = services.correct_entry(
            entry, current_user, form.amount.ore, form.collected_on.day, form.method.data,
            form.note.data or "", form.reason.data,
        )
    except services.LedgerError as exc:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(exc)]
        return render_template("ledger/correct.html", entry=entry, form=form), exc.status
    db.session.commit()
    flash(_("Posten är rättad: den gamla är återförd och den nya räknas i stället."),
          "success")
    return go(url_for("ledger.entry", entry_id=new.id), code=303)


@bp.get("/ledger/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    """An entry's whole history: linked entries and every audit event about them."""
    entry = entry_or_404(entry_id)
    ledger_admin_or_403(current_user, entry)
    entries, events = queries.history(entry)
    return render_template(
        "ledger/entry.html", entry=entry, entries=entries, events=events,
        reversed_ids=queries.reversed_ids([e.id for e in entries]), form=EmptyForm(),
        attest_refusal=services.attest_refusal, receive_refusal=services.receive_refusal,
        missing_steps=services.missing_steps,
    )
