"""Logging a collection from a team page (htmx or a plain post)."""

from flask import flash, make_response, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ...extensions import db, htmx
from ...formatting import kronor, swedish_date
from ...models import Team
from ...permissions import team_to_log_for_or_404
from .. import bp, queries, services, totals
from ..forms import CollectionForm
from .common import team_url


@bp.get("/teams/<int:team_id>/collections/new")
@login_required
def new_collection(team_id: int):
    """The logging form as a page of its own (also what the form falls back to)."""
    team = team_to_log_for_or_404(current_user, team_id)
    return render_template("ledger/new.html", team=team, form=CollectionForm.fresh(),
                           figures=totals.figures("team", team.id),
                           entries=queries.team_entries(team), team_url=team_url(team.id))


@bp.post("/teams/<int:team_id>/collections")
@login_required
def create_collection(team_id: int):
    """Log money a team collected; htmx gets the fresh form and the new total in place."""
    # The form first: it needs no database, and on SQLite the first query takes the write
    # lock, which every other worker's log then waits for until this one commits.
    form = CollectionForm()
    valid = form.validate_on_submit()
    team = team_to_log_for_or_404(current_user, team_id)
    if not valid:
        return _form_again(team, form, 422)
    replay = None
    try:
        # Written straight away: a key that was already used (a double click, a retried
        # post) breaks the unique index, and only then is the first entry looked up.
        entry = services.record_collection(
            team, form.amount.ore, form.collected_on.day, form.method.data, form.note.data or "",
            logged_by=current_user, idempotency_key=form.idempotency_key.data,
        )
        # What the answer needs, read before the commit expires the entry: reading it after
        # would load it again.
        awaiting_count = entry.awaiting_count
        db.session.commit()
    except services.LedgerError as exc:
        db.session.rollback()
        form.amount.errors = [*form.amount.errors, str(exc)]
        return _form_again(team, form, 422)
    except IntegrityError:
        # The key is in the ledger already, from an earlier post or one at the same moment.
        db.session.rollback()
        entry = services.entry_for_key(form.idempotency_key.data)
        if entry is None:
            raise
        replay, awaiting_count = entry, entry.awaiting_count
        if entry.logged_by_id != current_user.id or entry.team_id != team_id:
            # Someone else's key, or another team's: not this person's post sent again.
            raise services.Conflict(_(
                "Det här formuläret har redan använts till en annan insamling. Ingenting "
                "nytt sparades: ladda om sidan och registrera insamlingen igen.")) from None
        if _changed_since(entry, form):
            return _changed_replay(team, form, entry)
    if htmx:
        response = make_response(render_template(
            "ledger/_logged.html", team=team, entry=entry, replay=replay is not None,
            form=CollectionForm.fresh(), figures=totals.figures("team", team.id),
        ))
        response.headers["HX-Trigger"] = "collectionLogged"
        return response
    if replay is not None:
        flash(_("Den här insamlingen var redan registrerad (%(amount)s); den räknas en gång.",
                amount=kronor(entry.amount_ore)), "info")
    elif awaiting_count:
        flash(_("Tack! Insamlingen är registrerad. Be en kollega räkna kontanterna med dig och "
                "bekräfta under Mina insamlingar; då är den attesterad."), "success")
    else:
        flash(_("Tack! Insamlingen är registrerad och syns direkt som rapporterad."), "success")
    return redirect(team_url(team_id), code=303)


def _changed_since(entry, form: CollectionForm) -> bool:
    """Whether a form sent again (its key already in the ledger) now says something else
    than what was recorded the first time: it was changed after it was sent."""
    return (entry.amount_ore, entry.collected_on, entry.method, entry.note) != (
        form.amount.ore, form.collected_on.day, form.method.data, form.note.data or "")


def _changed_replay(team: Team, form: CollectionForm, entry):
    """The form back as the person changed it, under a new key, saying what the first
    sending recorded: the change was not saved, and sending it now records it as one
    more collection, if that is what it is. 422, as any form sent back with a message at a
    field (htmx swaps it in place): nothing new was written."""
    form.idempotency_key.data = CollectionForm.fresh().idempotency_key.data
    form.amount.errors = [*form.amount.errors, _(
        "Formuläret var redan skickat, och då registrerades %(amount)s (%(day)s). Det du "
        "ändrade sedan sparades inte. Är det en insamling till? Skicka den igen.",
        amount=kronor(entry.amount_ore), day=swedish_date(entry.collected_on, "d MMMM"))]
    return _form_again(team, form, 422)


def _form_again(team: Team, form: CollectionForm, status: int):
    if htmx:
        return render_template("ledger/_log_form.html", team=team, form=form), status
    return render_template("ledger/new.html", team=team, form=form,
                           figures=totals.figures("team", team.id),
                           entries=queries.team_entries(team), team_url=team_url(team.id)), status
