"""Collection boxes: the workplace's list, registering, a box's page with its history,
handing over, a new seal, and the two colleagues' count."""

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..companies.http import company_or_404
from ..extensions import db
from ..forms import EmptyForm
from ..inputs import small_int
from ..ledger import services as ledger
from ..ledger.routes.common import problem
from ..models import CashBoxCount, Team, User
from ..models.ledger import STATUSES
from ..redirects import go
from . import bp, queries, services
from .forms import BoxForm, CountForm, HandoverForm, SealForm


def can_manage(user, box_or_team) -> bool:
    """Admins of the workplace (and staff) and the captain of the box's team."""
    team = getattr(box_or_team, "team", box_or_team)
    return permissions.can_manage_team(user, team)


def _managed_teams(company):
    """The teams the current user may register boxes for."""
    teams = queries.teams_of(company)
    if permissions.is_company_admin(current_user, company):
        return teams
    return [t for t in teams if t.captain_id == current_user.id]


def box_or_404(box_id: int):
    """The box when the current user is a colleague of its workplace (or staff): 404 for an
    unknown box, 403 for anyone else."""
    box = queries.box(box_id)
    if box is None:
        abort(404)
    permissions.company_member_or_403(current_user, box.company)
    return box


@bp.get("/companies/<slug>/boxes")
@login_required
def index(slug: str):
    """The workplace's boxes: number, team, who keeps it, the latest count."""
    company = permissions.company_member_or_403(current_user, company_or_404(slug))
    team_id = small_int(request.args.get("team"))
    boxes = queries.boxes_of(company, team_id)
    counts = queries.box_counts([b.id for b in boxes])
    latest = {}
    for box_count in counts:
        latest.setdefault(box_count.box_id, box_count)
    broken = {c.box_id for c in counts if not c.seal_intact}
    return render_template(
        "cashboxes/index.html", company=company, boxes=boxes, latest=latest, broken=broken,
        team=next((b.team for b in boxes), None) if team_id else None,
        may_register=bool(_managed_teams(company)), statuses=STATUSES,
    )


def _box_form(company, formdata=True) -> BoxForm:
    form = BoxForm() if formdata else BoxForm(formdata=None)
    form.set_teams(_managed_teams(company))
    form.set_keepers(queries.colleagues(company))
    return form


@bp.route("/companies/<slug>/boxes/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Register a sealed, numbered box (workplace admins and team captains)."""
    company = permissions.company_member_or_403(current_user, company_or_404(slug))
    if not _managed_teams(company):
        abort(403)
    form = _box_form(company)
    if not form.is_submitted():
        form.team.data = request.args.get("team", "")
        form.keeper.data = str(current_user.id)
    if form.validate_on_submit():
        try:
            box = services.register_box(
                company, db.session.get(Team, int(form.team.data)), form.number.data,
                form.seal_number.data, db.session.get(User, int(form.keeper.data)), current_user)
            db.session.commit()
        except services.BoxError as exc:
            db.session.rollback()
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
            return render_template("cashboxes/new.html", company=company, form=form), 422
        except IntegrityError:  # the same number registered a moment ago
            db.session.rollback()
            form.number.errors = [_("Arbetsplatsen har redan en bössa med nummer %(number)s.",
                                    number=form.number.data)]
            return render_template("cashboxes/new.html", company=company, form=form), 422
        flash(_("Bössa %(number)s är registrerad.", number=box.number), "success")
        return go(url_for("cashboxes.show", box_id=box.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("cashboxes/new.html", company=company, form=form), status


def _show(box, status: int = 200, handover_form=None, seal_form=None):
    counts = queries.box_counts([box.id])
    manager = can_manage(current_user, box)
    if handover_form is None:
        handover_form = HandoverForm(formdata=None)
    handover_form.set_keepers([p for p in queries.colleagues(box.company)
                               if p.id != box.keeper_id])
    return render_template(
        "cashboxes/show.html", box=box, counts=counts, events=queries.history(box),
        reversed_ids=queries.reversed_entry_ids([c.entry_id for c in counts]),
        can_manage=manager, handover_form=handover_form,
        seal_form=seal_form or SealForm(formdata=None), form=EmptyForm(), statuses=STATUSES,
    ), status


@bp.get("/boxes/<int:box_id>")
@login_required
def show(box_id: int):
    """A box's page: who has it, its seal, who had it when and every count."""
    return _show(box_or_404(box_id))


@bp.post("/boxes/<int:box_id>/handover")
@login_required
def handover(box_id: int):
    """Hand the box to another colleague (admins and the team's captain)."""
    box = box_or_404(box_id)
    if not can_manage(current_user, box):
        abort(403)
    form = HandoverForm()
    form.set_keepers(queries.colleagues(box.company))
    if not form.validate_on_submit():
        return _show(box, 422, handover_form=form)
    try:
        services.hand_over(box, db.session.get(User, int(form.keeper.data)), current_user)
    except services.BoxError as exc:
        db.session.rollback()
        form.keeper.errors = [str(exc)]
        return _show(queries.box(box_id), 422, handover_form=form)
    db.session.commit()
    flash(_("Bössan är överlämnad."), "success")
    return go(url_for("cashboxes.show", box_id=box_id), code=303)


@bp.post("/boxes/<int:box_id>/seal")
@login_required
def seal(box_id: int):
    """Record a new seal on the box (admins and the team's captain)."""
    box = box_or_404(box_id)
    if not can_manage(current_user, box):
        abort(403)
    form = SealForm()
    if not form.validate_on_submit():
        return _show(box, 422, seal_form=form)
    try:
        services.reseal(box, form.seal_number.data, current_user)
    except services.BoxError as exc:
        db.session.rollback()
        form.seal_number.errors = [str(exc)]
        return _show(queries.box(box_id), 422, seal_form=form)
    db.session.commit()
    flash(_("Den nya plomberingen är sparad."), "success")
    return go(url_for("cashboxes.show", box_id=box_id), code=303)


@bp.route("/boxes/<int:box_id>/count", methods=["GET", "POST"])
@login_required
def count(box_id: int):
    """The first of two colleagues logs the count; the second confirms it afterwards."""
    box = box_or_404(box_id)
    form = CountForm() if request.method == "POST" else CountForm.fresh()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("cashboxes/count.html", box=box, form=form), status
    try:
        services.log_count(
            box, form.amount.ore, form.counted_on.day, form.seal_intact.data == "yes",
            form.deposit_kind.data, form.deposit_reference.data or "", form.deposited_on.day,
            current_user, idempotency_key=form.idempotency_key.data)
        db.session.commit()
    except services.BoxError as exc:
        db.session.rollback()
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        return render_template("cashboxes/count.html", box=box, form=form), 422
    except IntegrityError:  # the same form posted twice at once: the first one counts
        db.session.rollback()
    flash(_("Räkningen är registrerad. Nu bekräftar kollegan som räknade med dig, på bössans "
            "sida eller under Mina insamlingar; då är summan attesterad."), "success")
    return go(url_for("cashboxes.show", box_id=box_id), code=303)


@bp.post("/boxes/<int:box_id>/counts/<int:count_id>/confirm")
@login_required
def confirm(box_id: int, count_id: int):
    """The second colleague confirms they counted too: the entry is attested."""
    box = box_or_404(box_id)
    box_count = db.session.get(CashBoxCount, count_id)
    if box_count is None or box_count.box_id != box.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_count(box_count, current_user)
    except ledger.LedgerError as exc:
        return problem(str(exc), exc.status)
    db.session.commit()
    flash(_("Tack! Ni har räknat bössan två och summan är attesterad. Den räknas som "
            "mottagen när pengarna har kommit in till stadsmissionen."), "success")
    return go(request.form.get("next") == "mine" and url_for("ledger.mine")
              or url_for("cashboxes.show", box_id=box_id), code=303)
