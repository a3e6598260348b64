"""Staff pages (the blueprint lets staff only in). HTTP only: form, service call, commit."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from .. import campaigns, clock, csvexport, settings
from ..extensions import db
from ..forms import EmptyForm
from ..inputs import int_arg
from ..ledger import services as ledger_services
from ..models import (
    BankPayment,
    Goal,
    ImpactLine,
    Inquiry,
    LedgerEntry,
    Partner,
    SwishPayment,
    User,
)
from ..partners import logos
from ..reconciliation import bgmax, bgmax_import, references, swish_reports
from ..reconciliation import queries as reconciliation_queries
from ..security import accepts_uploads
from . import bp, queries, services, swish_import
from .forms import (
    BgMaxUploadForm,
    CampaignForm,
    GoalForm,
    GrantStaffForm,
    ImpactLineForm,
    ImportConfirmForm,
    ImportUploadForm,
    MatchPaymentForm,
    MergeForm,
    PartnerForm,
    RefusePaymentForm,
    SettingsForm,
)


def _get(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


@bp.get("")
def overview():
    """Totals per goal, workplace and overall; queue, new workplaces and teams, inquiries."""
    today = clock.today()
    goal_rows, overall = queries.goal_totals(today)
    return render_template(
        "staff/overview.html",
        periods=queries.PERIODS, period_labels=queries.period_labels(),
        campaign=campaigns.current(),
        goal_rows=goal_rows, overall=overall, company_rows=queries.company_totals(today),
        chart=queries.monthly_chart(today), new_companies=queries.new_companies(),
        new_teams=queries.new_teams(), inquiries=queries.inquiries(open_only=True, limit=5),
        open_inquiries=queries.open_inquiry_count(), pending=queries.pending_count(current_user),
        swish_number=settings.get("swish_number"),
    )


# --- Staff rights ---------------------------------------------------------------------

@bp.route("/people", methods=["GET", "POST"])
def people():
    form = GrantStaffForm()
    if form.validate_on_submit():
        try:
            services.grant_staff(form.user, current_user)
        except services.StaffError as exc:  # given (or own rights taken) a moment ago
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("staff.people"))
        db.session.commit()
        flash(_("%(name)s har nu personalbehörighet.", name=form.user.display_name), "success")
        return redirect(url_for("staff.people"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/people.html", form=form, staff=queries.staff_members(),
                           button=EmptyForm()), status


@bp.post("/people/<int:user_id>/revoke")
def revoke(user_id: int):
    user = _get(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_staff(user, current_user)
    except services.StaffError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.people"))
    db.session.commit()
    flash(_("%(name)s har inte längre personalbehörighet.", name=user.display_name), "success")
    return redirect(url_for("staff.people"))


# --- Goal content ---------------------------------------------------------------------

@bp.get("/goals")
def goals():
    return render_template("staff/goals.html", goals=queries.all_goals())


@bp.route("/goals/<int:goal_id>", methods=["GET", "POST"])
def edit_goal(goal_id: int):
    """Edit a goal's texts and linked UN goals; impact lines are managed below the form."""
    goal = _get(Goal, goal_id)
    form = GoalForm(obj=goal if request.method == "GET" else None)
    if request.method == "GET":
        form.un_goals.data = [str(n) for n in goal.un_goal_numbers]
    if form.validate_on_submit():
        services.update_goal(goal, {"title": form.title.data, "summary": form.summary.data,
                                    "body": form.body.data, "title_en": form.title_en.data,
                                    "summary_en": form.summary_en.data,
                                    "body_en": form.body_en.data,
                                    "un_goals": [int(n) for n in form.un_goals.data or []]},
                             current_user)
        db.session.commit()
        flash(_("Målet är sparat och syns direkt på målsidan."), "success")
        return redirect(url_for("staff.edit_goal", goal_id=goal.id))
    status = 422 if request.method == "POST" else 200
    return _goal_page(goal, form, ImpactLineForm(formdata=None)), status


def _goal_page(goal, form, impact_form):
    return render_template("staff/goal_edit.html", goal=goal, form=form, impact_form=impact_form,
                           lines=queries.impact_lines(goal), button=EmptyForm())


@bp.post("/goals/<int:goal_id>/impact")
def add_impact(goal_id: int):
    goal = _get(Goal, goal_id)
    impact_form = ImpactLineForm()
    if not impact_form.validate_on_submit():
        form = GoalForm(formdata=None, obj=goal)
        form.un_goals.data = [str(n) for n in goal.un_goal_numbers]
        return _goal_page(goal, form, impact_form), 422
    services.add_impact_line(goal, impact_form.amount.ore, impact_form.text.data,
                             impact_form.position.data or 0, current_user,
                             text_en=impact_form.text_en.data or "")
    db.session.commit()
    flash(_("Raden är tillagd."), "success")
    return redirect(url_for("staff.edit_goal", goal_id=goal.id) + "#effekt")


@bp.post("/impact/<int:line_id>/delete")
def delete_impact(line_id: int):
    line = _get(ImpactLine, line_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    goal_id = line.goal_id
    services.delete_impact_line(line, current_user)
    db.session.commit()
    flash(_("Raden är borttagen."), "success")
    return redirect(url_for("staff.edit_goal", goal_id=goal_id) + "#effekt")


# --- Partners -------------------------------------------------------------------------

@bp.get("/partners")
def partners():
    return render_template("staff/partners.html", partners=queries.partners(), button=EmptyForm())


@bp.route("/partners/new", methods=["GET", "POST"])
@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@accepts_uploads
def edit_partner(partner_id: int | None = None):
    """Add or change a partner, with an optional logo (checked by content, size-limited)."""
    partner = _get(Partner, partner_id) if partner_id is not None else None
    form = PartnerForm(obj=partner if request.method == "GET" else None)
    form.goal.choices = [SelectChoice(str(g.id), f"#{g.number} {g.title}")
                         for g in queries.all_goals()]
    if request.method == "GET" and partner is not None:
        form.goal.data = str(partner.goal_id)
    elif request.method == "GET" and (goal := int_arg("goal")) is not None:
        form.goal.data = str(goal)
    if form.validate_on_submit():
        upload = form.logo.data
        data = upload.read(logos.MAX_BYTES + 1) if upload and upload.filename else None
        try:
            partner = services.save_partner(
                partner,
                {"goal_id": int(form.goal.data), "name": form.name.data, "level": form.level.data,
                 "url": form.url.data, "position": form.position.data,
                 "remove_logo": form.remove_logo.data},
                data, current_user,
            )
        except logos.LogoError as exc:
            db.session.rollback()
            form.logo.errors = [str(exc)]
            return render_template("staff/partner_edit.html", form=form, partner=partner), 422
        db.session.commit()
        flash(_("%(name)s är sparad.", name=partner.name), "success")
        return redirect(url_for("staff.partners"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/partner_edit.html", form=form, partner=partner), status


@bp.post("/partners/<int:partner_id>/delete")
def delete_partner(partner_id: int):
    partner = _get(Partner, partner_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = partner.name
    services.delete_partner(partner, current_user)
    db.session.commit()
    flash(_("%(name)s är borttagen som partner.", name=name), "success")
    return redirect(url_for("staff.partners"))


# --- Inquiries ------------------------------------------------------------------------

@bp.get("/inquiries")
def inquiries():
    return render_template("staff/inquiries.html", inquiries=queries.inquiries(),
                           button=EmptyForm())


@bp.post("/inquiries/<int:inquiry_id>/handled")
def inquiry_handled(inquiry_id: int):
    inquiry = _get(Inquiry, inquiry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.mark_inquiry_handled(inquiry, current_user)
    except services.StaffError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("staff.inquiries"))
    db.session.commit()
    flash(_("Förfrågan är markerad som hanterad."), "success")
    return redirect(url_for("staff.inquiries"))


# --- Campaigns ------------------------------------------------------------------------

@bp.route("/campaigns", methods=["GET", "POST"])
def campaigns_page():
    """Every campaign with its totals, and a form to add the next one."""
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = services.add_campaign(form.name.data, form.starts_on.data,
                                             form.ends_on.data, current_user)
        except services.CampaignDatesError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Kampanjen %(name)s är tillagd.", name=campaign.name), "success")
            return redirect(url_for("staff.campaigns_page"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/campaigns.html", form=form,
                           rows=queries.campaign_rows(), current=campaigns.current()), status


# --- Settings -------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    form = SettingsForm()
    if request.method == "GET":
        form.swish_number.data = settings.get("swish_number")
        form.bankgiro_number.data = references.format_bankgiro(settings.get("bankgiro_number"))
        form.cash_instructions.data = settings.get("cash_instructions")
        form.cash_instructions_en.data = settings.get("cash_instructions_en")
        form.tax_reduction_approved.data = settings.get_bool("tax_reduction_approved")
    if form.validate_on_submit():
        services.save_settings(form.clean_number, form.tax_reduction_approved.data, current_user,
                               bankgiro_number=form.clean_bankgiro,
                               cash_instructions=form.cash_instructions.data or "",
                               cash_instructions_en=form.cash_instructions_en.data or "")
        db.session.commit()
        flash(_("Inställningarna är sparade."), "success")
        return redirect(url_for("staff.settings_page"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/settings.html", form=form), status


# --- Swish report and BgMax import, and reconciliation ----------------------------------

def _uploaded(form, template: str, max_bytes: int, missing: str):
    """The uploaded file's bytes and name, or the upload page again (400 without a valid
    CSRF token, 422 without a file) as the second value."""
    if not form.validate_on_submit():
        return None, (render_template(template, form=form), 400)
    upload = form.report.data
    if not upload or not upload.filename:
        form.report.errors = [missing]
        return None, (render_template(template, form=form), 422)
    # One byte past the limit is enough for the parser to say the file is too large.
    return (upload.read(max_bytes + 1), upload.filename), None


def _confirmed_text():
    """The packed file of a confirm form; CsvImportError when it cannot be read back."""
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    return swish_import.unpack(confirm.content.data or "")


@bp.route("/swish-import", methods=["GET", "POST"])
@accepts_uploads
def swish_upload():
    """Upload the report; answers with what each payment would become (nothing written)."""
    form = ImportUploadForm()
    if request.method == "GET":
        return render_template("staff/import_upload.html", form=form)
    uploaded, refusal = _uploaded(form, "staff/import_upload.html", swish_import.MAX_BYTES,
                                  _("Välj en CSV-fil att läsa in."))
    if refusal:
        return refusal
    data, filename = uploaded
    try:
        report = swish_import.read(data)
    except swish_import.CsvImportError as exc:
        return render_template("staff/import_upload.html", form=form, problems=exc.problems), 422
    return render_template(
        "staff/import_preview.html", report=report,
        proposals=swish_import.propose(report.payments),
        previous=swish_import.file_record(report), filename=filename,
        confirm=ImportConfirmForm(formdata=None, content=swish_import.pack(report.text)))


@bp.post("/swish-import/confirm")
@accepts_uploads  # the uploaded report comes back, packed, in a hidden field
def swish_confirm():
    """Record the file and book the payments staff ticked; the same file again changes nothing."""
    try:
        report = swish_import.read(_confirmed_text())
    except swish_import.CsvImportError as exc:
        return render_template("staff/import_upload.html", form=ImportUploadForm(),
                               problems=exc.problems), 422
    proposals = swish_import.propose(report.payments)
    # Each row books on its own; a row that cannot waits with its reason.
    done = swish_import.book(report, proposals, set(request.form.getlist("book")), current_user)
    db.session.commit()
    if done.already:
        flash(_("Filen är redan inläst. Ingenting ändrades."), "info")
        return redirect(url_for("staff.reconciliation"))
    flash(_("Klart: %(received)s rapporterade insamlingar mottagna och "
            "%(created)s nya mottagna poster bokförda.",
            received=done.receive, created=done.create), "success")
    if done.waiting or done.refused:
        flash(_("%(waiting)s betalningar väntar på en person och %(refused)s är avvisade.",
                waiting=done.waiting, refused=done.refused), "info")
    if done.earlier:
        flash(_("%(count)s betalningar fanns redan i en tidigare fil och bokfördes inte igen.",
                count=done.earlier), "info")
    for line, reason in done.failed:
        flash(_("Rad %(line)s bokfördes inte: %(reason)s", line=line, reason=reason), "error")
    return redirect(url_for("staff.reconciliation"))


@bp.route("/bgmax-import", methods=["GET", "POST"])
@accepts_uploads
def bgmax_upload():
    """Upload a BgMax file; answers with what each payment would become (nothing written)."""
    form = BgMaxUploadForm()
    if request.method == "GET":
        return render_template("staff/bgmax_upload.html", form=form)
    uploaded, refusal = _uploaded(form, "staff/bgmax_upload.html", bgmax.MAX_BYTES,
                                  _("Välj en BgMax-fil att läsa in."))
    if refusal:
        return refusal
    data, filename = uploaded
    try:
        parsed = bgmax.parse(data)
    except bgmax.BgMaxError as exc:
        return render_template("staff/bgmax_upload.html", form=form, problem=str(exc)), 422
    problem = bgmax_import.payee_problem(parsed)
    if problem:
        return render_template("staff/bgmax_upload.html", form=form, problem=problem), 422
    text = "\n".join(bgmax.decode(data))
    return render_template(
        "staff/bgmax_preview.html", parsed=parsed, proposals=bgmax_import.propose(parsed),
        previous=bgmax_import.file_record(parsed), filename=filename,
        confirm=ImportConfirmForm(formdata=None, content=swish_import.pack(text)))


@bp.post("/bgmax-import/confirm")
@accepts_uploads  # the uploaded file comes back, packed, in a hidden field
def bgmax_confirm():
    """Record the file and book the payments staff ticked; a repeat books nothing twice."""
    try:
        parsed = bgmax.parse(_confirmed_text())
    except (bgmax.BgMaxError, swish_import.CsvImportError) as exc:
        problem = str(exc) if isinstance(exc, bgmax.BgMaxError) else exc.problems[0]
        return render_template("staff/bgmax_upload.html", form=BgMaxUploadForm(),
                               problem=problem), 422
    proposals = bgmax_import.propose(parsed)
    try:
        done = bgmax_import.book(parsed, proposals, set(request.form.getlist("book")),
                                 current_user)
    except bgmax.BgMaxError as exc:
        db.session.rollback()
        return render_template("staff/bgmax_upload.html", form=BgMaxUploadForm(),
                               problem=str(exc)), 422
    db.session.commit()
    if done.skipped and not (done.booked or done.waiting or done.refused):
        flash(_("Filen är redan inläst. Ingenting bokfördes igen."), "info")
    else:
        flash(_("Klart: %(booked)s betalningar bokförda, %(waiting)s väntar på en person och "
                "%(refused)s avvisade.", booked=done.booked, waiting=done.waiting,
                refused=done.refused), "success")
        if done.skipped:
            flash(_("%(count)s betalningar var redan inlästa och bokfördes inte igen.",
                    count=done.skipped), "info")
    for line, reason in done.failed:
        flash(_("Rad %(line)s bokfördes inte: %(reason)s", line=line, reason=reason), "error")
    return redirect(url_for("staff.reconciliation"))


# Form prefixes per kind of waiting row: each form on the page has its own field names.
HAND_PREFIX = {"bank": "", "swish": "swish-"}


def _hand_forms(rows, kind: str) -> dict:
    """A (book, refuse) form pair for every waiting row of one kind ("bank" or "swish")."""
    prefix = HAND_PREFIX[kind]
    return {p.id: (MatchPaymentForm(formdata=None, prefix=f"{prefix}match-{p.id}"),
                   RefusePaymentForm(formdata=None, prefix=f"{prefix}refuse-{p.id}"))
            for p in rows}


def _reconciliation_page(failed=None, status=200):
    """The page; `failed` is the one form (kind, row id, form) that comes back with errors."""
    waiting = reconciliation_queries.waiting_payments()
    swish_waiting = reconciliation_queries.waiting_swish_rows()
    forms = {"bank": _hand_forms(waiting, "bank"), "swish": _hand_forms(swish_waiting, "swish")}
    for p in swish_waiting:
        if p.team is not None:  # the team the message named: a person only confirms it
            forms["swish"][p.id][0].team.data = references.payment_reference(p.team.id)
    if failed is not None:
        kind, payment_id, form = failed
        pair = forms[kind].get(payment_id)
        if pair is not None:
            forms[kind][payment_id] = ((form, pair[1]) if isinstance(form, MatchPaymentForm)
                                       else (pair[0], form))
    return render_template(
        "staff/reconciliation.html", files=reconciliation_queries.file_summaries(),
        waiting=waiting, forms=forms["bank"], refused=reconciliation_queries.refused_payments(),
        swish_files=reconciliation_queries.swish_file_summaries(),
        swish_waiting=swish_waiting, swish_forms=forms["swish"],
        swish_refused=reconciliation_queries.refused_swish_rows(),
        layout_labels={layout.key: layout.label for layout in swish_reports.LAYOUTS},
    ), status


@bp.get("/reconciliation")
def reconciliation():
    """Imported files and what became of their payments; payments that wait for a person."""
    return _reconciliation_page()


def _book_by_hand(kind: str, model, prefix: str, book, payment_id: int):
    """Book a waiting bank payment or Swish row for the team a person names (both kinds
    are handled alike; `book` is the import's own service)."""
    _get(model, payment_id)
    form = MatchPaymentForm(prefix=f"{prefix}-{payment_id}")
    if not form.validate_on_submit():
        return _reconciliation_page((kind, payment_id, form), status=422)
    try:
        book(payment_id, form.found_team, current_user)
    except ledger_services.Conflict:
        raise  # someone handled it meanwhile: the app's 409 page says so
    except ledger_services.LedgerError as exc:
        db.session.rollback()
        form.team.errors = [str(exc)]
        return _reconciliation_page((kind, payment_id, form), status=422)
    db.session.commit()
    flash(_("Betalningen är bokförd för %(team)s.", team=form.found_team.name), "success")
    return redirect(url_for("staff.reconciliation"))


def _refuse_by_hand(kind: str, model, prefix: str, refuse, payment_id: int):
    """Mark a waiting bank payment or Swish row as not for the campaign, with a reason."""
    _get(model, payment_id)
    form = RefusePaymentForm(prefix=f"{prefix}-{payment_id}")
    if not form.validate_on_submit():
        return _reconciliation_page((kind, payment_id, form), status=422)
    refuse(payment_id, form.reason.data, current_user)
    db.session.commit()
    flash(_("Betalningen är markerad som inte vår."), "success")
    return redirect(url_for("staff.reconciliation"))


@bp.post("/reconciliation/payments/<int:payment_id>/match")
def match_payment(payment_id: int):
    """Book a waiting payment for the team a person names."""
    return _book_by_hand("bank", BankPayment, "match", bgmax_import.match_by_hand, payment_id)


@bp.post("/reconciliation/payments/<int:payment_id>/refuse")
def refuse_payment(payment_id: int):
    """Mark a waiting payment as not for the campaign, with a reason."""
    return _refuse_by_hand("bank", BankPayment, "refuse", bgmax_import.refuse_payment,
                           payment_id)


@bp.post("/reconciliation/swish/<int:payment_id>/book")
def book_swish_row(payment_id: int):
    """Book a waiting Swish report row for the team a person names."""
    return _book_by_hand("swish", SwishPayment, "swish-match", swish_import.book_waiting,
                         payment_id)


@bp.post("/reconciliation/swish/<int:payment_id>/refuse")
def refuse_swish_row(payment_id: int):
    """Mark a waiting Swish report row as not for the campaign, with a reason."""
    return _refuse_by_hand("swish", SwishPayment, "swish-refuse", swish_import.refuse_waiting,
                           payment_id)


# --- Export ---------------------------------------------------------------------------

@bp.get("/export/collections.csv")
def export_collections():
    """The whole ledger as CSV, streamed (the app's one CSV writer: UTF-8 with BOM,
    semicolons, formulas defused, times in UTC)."""
    return csvexport.response(
        ["id", "datum", "belopp", "status", "sätt", "lag", "lagkod", "arbetsplats", "mål",
         "återtar", "registrerad (UTC)"], _collection_rows(), "insamlingar.csv")


def _collection_rows():
    """The export's rows, read in batches while the file is sent (the query runs then)."""
    entries = db.session.execute(
        db.select(LedgerEntry).options(
            db.joinedload(LedgerEntry.team), db.joinedload(LedgerEntry.company),
            db.joinedload(LedgerEntry.goal),
        ).order_by(LedgerEntry.id).execution_options(yield_per=500)
    ).scalars()
    for e in entries:
        yield [e.id, e.collected_on, csvexport.kronor_cell(e.amount_ore), e.status_label,
               e.method_label, e.team.name, e.team.reference, e.company.name, e.goal.title,
               e.reverses_id, e.created_at]


@bp.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str):
    """Unknown staff addresses: 404 for staff; others got 403 already, like every staff URL."""
    abort(404)


# --- Workplaces: organisation numbers in review, merging duplicates, checked -----------

def _company(slug: str):
    from ..companies.queries import company_by_slug

    company = company_by_slug(slug)
    if company is None:
        abort(404)
    return company


@bp.get("/workplaces")
def workplaces():
    """Workplaces whose organisation number another workplace already holds."""
    return render_template("staff/workplaces.html", reviews=queries.orgnr_reviews(),
                           button=EmptyForm())


@bp.route("/workplaces/<slug>", methods=["GET", "POST"])
def workplace(slug: str):
    """One workplace for staff: its number in review, merge it into another, mark checked."""
    from ..companies import merge
    from ..companies.services import CompanyError, holder_of

    company = _company(slug)
    holder = holder_of(company.claimed_org_number) if company.claimed_org_number else None
    form = MergeForm(source=company)
    if request.method == "GET" and holder is not None:
        form.target.data = holder.slug
    problems = []
    if form.validate_on_submit():
        try:
            target = merge.merge_companies(company, form.company, current_user)
        except CompanyError as exc:
            db.session.rollback()
            form.target.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Arbetsplatserna är ihopslagna. Allt finns nu hos %(name)s.",
                    name=target.name), "success")
            return redirect(url_for("companies.show", slug=target.slug))
    elif form.company is not None:
        problems = merge.merge_problems(company, form.company)
    status = 422 if request.method == "POST" else 200
    return render_template("staff/workplace.html", company=company, holder=holder, form=form,
                           problems=problems, button=EmptyForm()), status


@bp.post("/workplaces/<slug>/reject-claim")
def reject_claim(slug: str):
    """Say no to a workplace's claim on a taken organisation number."""
    from ..companies.services import CompanyError
    from ..companies.services import reject_claim as reject

    company = _company(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        reject(company, current_user)
    except CompanyError as exc:
        from ..companies.http import refuse

        return refuse(str(exc), url_for("staff.workplace", slug=company.slug))
    db.session.commit()
    flash(_("Anspråket är avvisat. %(name)s fortsätter utan organisationsnummer.",
            name=company.name), "success")
    return redirect(url_for("staff.workplaces"))


@bp.post("/workplaces/<slug>/checked")
def mark_checked(slug: str):
    """Mark a workplace as checked by the mission, or take the mark away."""
    from ..companies.services import set_checked

    company = _company(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    checked = request.form.get("checked") != "0"
    set_checked(company, checked, current_user)
    db.session.commit()
    if checked:
        flash(_("%(name)s är markerad som kontrollerad av stadsmissionen.", name=company.name),
              "success")
    else:
        flash(_("Markeringen är borttagen."), "success")
    return redirect(url_for("staff.workplace", slug=company.slug))
