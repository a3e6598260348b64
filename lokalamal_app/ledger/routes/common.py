"""Helpers every ledger view shares: the team page address, refusals, entry lookup."""

from flask import render_template, url_for
from flask_babel import LazyString

from ... import clock
from ...extensions import db
from ...formatting import kronor
from ...models import LedgerEntry
from ...permissions import get_or_404
from .. import bp
from ..forms import CollectionForm


@bp.app_context_processor
def _ledger_helpers():
    return {"new_collection_form": CollectionForm.fresh,
            "today_iso": lambda: clock.today().isoformat()}


def team_url(team_id: int) -> str:
    """The team page."""
    return url_for("teams.show", ident=team_id)


def problem(message: str, status: int = 409):
    """A rule refused the action: say why, with a 4xx and nothing saved."""
    db.session.rollback()
    return render_template("ledger/problem.html", message=message), status


def entry_or_404(entry_id: int) -> LedgerEntry:
    """The entry, or 404."""
    return get_or_404(LedgerEntry, entry_id)


def kr(ore: int) -> LazyString:
    """An amount for a notification, formatted when the text is written in the recipient's
    language ("1 250 kr" in Swedish, "1,250 kr" in English)."""
    return LazyString(kronor, ore)
