"""Payroll pages: the workplace admin's settings, monthly runs and matching rules under
/companies/<slug>/payroll, and the employee's pledge and statements under /account/payroll."""

from datetime import date

from flask import abort, flash, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import clock, csvexport, permissions, settings
from ..companies.http import company_or_404
from ..extensions import db
from ..forms import EmptyForm
from ..models import MatchRule
from ..money import MoneyError, ore_to_input, parse_kronor
from ..reconciliation import references
from ..redirects import go
from ..security import accepts_uploads
from . import bp, csvfiles, matching, months, queries, services, tax
from .forms import ImportForm, MatchRuleForm, PledgeForm, SchemeForm


def _today() -> date:
    return clock.today()


def _admin_company(slug: str):
    return permissions.company_admin_or_403(current_user, company_or_404(slug))


def _month_or_404(month: str) -> str:
    if not months.is_month(month):
        abort(404)
    return month


# --- The workplace admin -------------------------------------------------------------

def _admin_page(company, scheme_form=None, rule_form=None, status=200):
    scheme = services.scheme_for(company)
    if scheme_form is None:
        scheme_form = SchemeForm(obj=scheme) if scheme else SchemeForm(
            allow_fixed=True, closing_day=25)
        scheme_form.min_monthly.data = ore_to_input(scheme.min_monthly_ore if scheme else 0)
    if rule_form is None:
        rule_form = MatchRuleForm(starts_on=_today())
    today = _today()
    from_month = services.next_payroll_month(company, scheme, today) if scheme else None
    this_month = months.month_of(today)
    runs = queries.runs(company)
    run_ids = [run.id for run, _count, _total in runs]
    return render_template(
        "payroll/admin.html", company=company, scheme=scheme, scheme_form=scheme_form,
        rule_form=rule_form, rules=matching.rules(company.id), runs=runs,
        transfers=queries.transfer_totals(run_ids), paid=queries.paid_runs(run_ids),
        payroll_reference=references.payroll_reference,
        pledges=queries.current_pledges(company, months.month_of(today)),
        from_month=from_month, this_month=this_month,
        open_months=[m for m in (months.previous_month(this_month), this_month)
                     if m not in services.confirmed_months(company)],
        figures=queries.match_figures(company), button_form=EmptyForm(), today=today,
        months=months, scopes=matching.SCOPES, permille_text=csvfiles.permille_text,
    ), status


@bp.route("/companies/<slug>/payroll", methods=["GET", "POST"])
@login_required
def admin(slug: str):
    """The admin's payroll page: settings, pledges, months and matching."""
    company = _admin_company(slug)
    if request.method == "GET":
        return _admin_page(company)
    form = SchemeForm()
    if not form.validate_on_submit():
        return _admin_page(company, scheme_form=form, status=422)
    try:
        services.save_scheme(
            company, enabled=form.enabled.data, allow_fixed=form.allow_fixed.data,
            allow_permille=form.allow_permille.data, min_monthly_ore=form.min_monthly.ore,
            closing_day=form.closing_day.data, uses_employee_numbers=form.uses_employee_numbers.data,
            actor=current_user)
    except services.PayrollError as exc:
        db.session.rollback()
        form.enabled.errors = [str(exc)]
        return _admin_page(company, scheme_form=form, status=422)
    db.session.commit()
    flash(_("Inställningarna för löneavdrag är sparade."), "success")
    return go(url_for("payroll.admin", slug=company.slug))


@bp.post("/companies/<slug>/payroll/matching")
@login_required
def add_rule(slug: str):
    """Start an employer matching rule."""
    company = _admin_company(slug)
    form = MatchRuleForm()
    if not form.validate_on_submit():
        return _admin_page(company, rule_form=form, status=422)
    try:
        matching.add_rule(company, form.percent.data, form.cap.ore, form.scope.data,
                          form.starts_on.data, form.ends_on.data, current_user)
    except matching.MatchError as exc:
        db.session.rollback()
        form.percent.errors = [str(exc)]
        return _admin_page(company, rule_form=form, status=422)
    db.session.commit()
    flash(_("Matchningen är sparad."), "success")
    return go(url_for("payroll.admin", slug=company.slug) + "#matchning")


@bp.post("/companies/<slug>/payroll/matching/<int:rule_id>/end")
@login_required
def end_rule(slug: str, rule_id: int):
    """End a matching rule from today."""
    company = _admin_company(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    rule = db.session.get(MatchRule, rule_id)
    if rule is None or rule.company_id != company.id:
        abort(404)
    try:
        matching.end_rule(rule, _today(), current_user)
    except matching.MatchError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return go(url_for("payroll.admin", slug=company.slug) + "#matchning")
    db.session.commit()
    flash(_("Matchningen slutar i dag."), "success")
    return go(url_for("payroll.admin", slug=company.slug) + "#matchning")


def _month_page(company, month, amounts_text=None, errors=None, problems=None, status=200,
                import_form=None):
    scheme = services.scheme_for(company)
    run = queries.run_for(company, month)
    pledges = services.pledges_in(company, month)
    deductions = queries.deductions_by_pledge(company, month) if run else {}
    not_booked = queries.not_booked(company, month) if run else set()
    if amounts_text is None:
        amounts_text = {p.id: "" for p in pledges}
    transfer_total = queries.transfer_totals([run.id])[run.id] if run else 0
    paid = queries.paid_runs([run.id]).get(run.id) if run else None
    return render_template(
        "payroll/month.html", company=company, scheme=scheme, month=month, run=run,
        label=months.display(month), pledges=pledges, deductions=deductions,
        amounts_text=amounts_text, errors=errors or {}, problems=problems or [],
        not_booked=not_booked, not_booked_reason=services.not_booked_reason,
        form=EmptyForm(), import_form=import_form or ImportForm(),
        is_future=month > months.month_of(_today()),
        fixed_total=sum(p.amount_ore or 0 for p in pledges if p.kind == "fixed"),
        permille_text=csvfiles.permille_text, transfer_total=transfer_total, paid=paid,
        transfer_reference=references.payroll_reference(run.id) if run else "",
        bankgiro=references.format_bankgiro(settings.get("bankgiro_number")),
    ), status


@bp.route("/companies/<slug>/payroll/<month>", methods=["GET", "POST"])
@login_required
def month(slug: str, month: str):
    """A payroll month: its pledges and amounts; POST confirms it."""
    company = _admin_company(slug)
    month = _month_or_404(month)
    if request.method == "GET":
        return _month_page(company, month)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    pledges = services.pledges_in(company, month)
    amounts, texts, errors = {}, {}, {}
    for pledge in pledges:
        if pledge.kind != "permille":
            continue
        text = (request.form.get(f"amount-{pledge.id}") or "").strip()[:40]
        texts[pledge.id] = text
        try:
            amounts[pledge.id] = parse_kronor(text, locale=str(get_locale() or "sv"))
        except MoneyError as exc:
            errors[pledge.id] = str(exc)
            continue
        if amounts[pledge.id] < 0:
            errors[pledge.id] = _("Beloppet kan inte vara negativt.")
        elif amounts[pledge.id] > services.MAX_MONTHLY_ORE:
            errors[pledge.id] = _("Beloppet är orimligt stort (högst 100 000 kr).")
    if errors:
        return _month_page(company, month, texts, errors, status=422)
    try:
        _run, not_booked = services.confirm_month(company, month, amounts, current_user, _today())
    except services.PayrollError as exc:
        db.session.rollback()
        return _month_page(company, month, texts, problems=[str(exc)], status=422)
    db.session.commit()
    flash(_("Löneavdragen för %(month)s är bekräftade.", month=months.display(month)), "success")
    for pledge in not_booked:
        flash(services.not_booked_reason(pledge.user.display_name), "error")
    return go(url_for("payroll.month", slug=company.slug, month=month))


@bp.post("/companies/<slug>/payroll/<month>/import")
@login_required
@accepts_uploads
def import_csv(slug: str, month: str):
    """Read per-mille amounts from the payroll system's file into the month's form.

    Nothing is written: a valid file fills in the amounts for the admin to confirm; an
    invalid one is refused whole, with its problems row by row.
    """
    company = _admin_company(slug)
    month = _month_or_404(month)
    form = ImportForm()
    if not form.validate_on_submit():
        return _month_page(company, month, import_form=form, status=422)
    pledges = services.pledges_in(company, month)
    try:
        amounts = csvfiles.read_amounts(form.file.data.read(csvfiles.MAX_IMPORT_BYTES + 1), pledges)
    except csvfiles.ImportProblems as exc:
        return _month_page(company, month, problems=exc.problems, status=422, import_form=form)
    texts = {pid: ore_to_input(amount) for pid, amount in amounts.items()}
    flash(ngettext("Filen lästes in: %(num)d belopp. Kontrollera och bekräfta månaden.",
                   "Filen lästes in: %(num)d belopp. Kontrollera och bekräfta månaden.",
                   len(amounts)), "info")
    return _month_page(company, month, amounts_text=texts)


@bp.get("/companies/<slug>/payroll/<month>/export.csv")
@login_required
def export_csv(slug: str, month: str):
    """The month's deductions for the payroll system (UTF-8 with BOM, semicolons)."""
    company = _admin_company(slug)
    month = _month_or_404(month)
    deductions = queries.deductions_by_pledge(company, month)
    rows = []
    for pledge in services.pledges_in(company, month):
        done = deductions.get(pledge.id)
        amount = done.amount_ore if done else pledge.amount_ore
        rows.append([
            pledge.user.display_name, pledge.employee_number,
            "Fast belopp" if pledge.kind == "fixed" else "Promille",
            csvexport.number_cell(csvfiles.permille_text(pledge.permille_tenths)),
            csvexport.kronor_cell(amount),
        ])
    return csvexport.response(["Namn", "Anställningsnummer", "Form", "Promille", "Belopp (kr)"],
                              rows, f"loneavdrag-{company.slug}-{month}.csv")


# --- The employee ---------------------------------------------------------------------

def _pledge_form(company, scheme, formdata=None, **data):
    needs_goal = services.team_of(current_user.id, company.id) is None
    form = PledgeForm(formdata=formdata, scheme=scheme, needs_goal=needs_goal,
                      goals=queries.goals() if needs_goal else (), **data)
    form.needs_goal = needs_goal
    return form


def _account_page(forms=None, status=200):
    today = _today()
    forms = forms or {}
    workplaces = []
    approved = settings.get_bool("tax_reduction_approved")
    for company, scheme in queries.user_companies_with_payroll(current_user):
        if scheme is None or not scheme.enabled:
            workplaces.append({"company": company, "scheme": None})
            continue
        first = services.next_payroll_month(company, scheme, today)
        current = services.current_pledge(current_user, company, first)
        form = forms.get(company.id)
        if form is None:
            data = {}
            if current is not None:
                data = dict(kind=current.kind, amount=ore_to_input(current.amount_ore),
                            permille=csvfiles.permille_text(current.permille_tenths),
                            employee_number=current.employee_number,
                            goal=current.goal_id or 0)
            form = _pledge_form(company, scheme, **data)
        advice = None
        if approved and current is not None and current.kind == "fixed":
            advice = tax.for_monthly_gift(current.amount_ore)
        workplaces.append({"company": company, "scheme": scheme, "first": first,
                           "current": current, "form": form, "advice": advice})
    year = today.year
    rows = queries.user_deductions(current_user, year)
    return render_template(
        "payroll/account.html", workplaces=workplaces, approved=approved,
        pledges=queries.user_pledges(current_user), history=queries.user_deductions(current_user),
        year=year, year_total=queries.year_total(rows), months=months,
        button_form=EmptyForm(), permille_text=csvfiles.permille_text,
        min_occasion=tax.MIN_OCCASION_ORE, min_year=tax.MIN_YEAR_ORE,
        max_reduction=tax.MAX_REDUCTION_ORE,
    ), status


@bp.get("/account/payroll")
@login_required
def account():
    """The employee's payroll giving: pledge, change, stop, history and the year's total."""
    return _account_page()


def _member_company(slug: str):
    """The workplace, for one of its own people (staff included only as members)."""
    company = company_or_404(slug)
    if permissions.membership(current_user, company) is None:
        abort(403)
    return company


@bp.get("/account/payroll/<slug>/tax")
@login_required
def tax_preview(slug: str):
    """The tax-reduction note for the amount being typed (an htmx partial)."""
    company = _member_company(slug)
    advice = None
    try:
        amount = parse_kronor(request.args.get("amount", "")[:40],
                              locale=str(get_locale() or "sv"))
        if 0 < amount <= services.MAX_MONTHLY_ORE:
            advice = tax.for_monthly_gift(amount)
    except MoneyError:
        pass
    if not settings.get_bool("tax_reduction_approved"):
        return "", 204
    return render_template("payroll/_tax.html", company=company, advice=advice,
                           min_occasion=tax.MIN_OCCASION_ORE, min_year=tax.MIN_YEAR_ORE,
                           max_reduction=tax.MAX_REDUCTION_ORE)


@bp.post("/account/payroll/<slug>")
@login_required
def pledge(slug: str):
    """Pledge a monthly gift, or change the current pledge from the next payroll month."""
    company = _member_company(slug)
    scheme = services.scheme_for(company)
    form = _pledge_form(company, scheme, formdata=request.form)
    if scheme is None or not scheme.enabled:
        form.validate()
        form.kind.errors = list(form.kind.errors) + [
            _("Din arbetsplats erbjuder inte löneavdrag här ännu.")]
        return _account_page({company.id: form}, status=422)
    if not form.validate_on_submit():
        return _account_page({company.id: form}, status=422)
    values = dict(
        kind=form.kind.data,
        amount_ore=form.amount.ore if form.kind.data == "fixed" else None,
        permille_tenths=form.permille_tenths if form.kind.data == "permille" else None,
        goal_id=form.goal.data or None, employee_number=form.employee_number.data or "",
    )
    today = _today()
    current = services.current_pledge(current_user, company,
                                      services.next_payroll_month(company, scheme, today))
    try:
        if current is not None:
            new = services.change_pledge(current, current_user, today, **values)
        else:
            new = services.make_pledge(current_user, company, start_month=form.start_month.data or None,
                                       today=today, **values)
    except services.PayrollError as exc:
        db.session.rollback()
        form.kind.errors = list(form.kind.errors) + [str(exc)]
        return _account_page({company.id: form}, status=422)
    db.session.commit()
    flash(_("Tack! Ditt löneavdrag gäller från %(month)s.", month=months.display(new.start_month)), "success")
    return go(url_for("payroll.account"))


@bp.post("/account/payroll/<slug>/stop")
@login_required
def stop(slug: str):
    """Stop the current pledge before the next payroll month."""
    company = _member_company(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    scheme = services.scheme_for(company)
    today = _today()
    first = services.next_payroll_month(company, scheme, today) if scheme else months.month_of(today)
    current = services.current_pledge(current_user, company, first)
    if current is None:
        flash(_("Du har inget löneavdrag att avsluta där."), "info")
        return go(url_for("payroll.account"))
    try:
        services.stop_pledge(current, current_user, today)
    except services.PayrollError as exc:  # stopped a moment ago, in another tab
        db.session.rollback()
        flash(str(exc), "info")
        return go(url_for("payroll.account"))
    db.session.commit()
    flash(_("Ditt löneavdrag slutar efter %(month)s.", month=months.display(current.end_month)), "success")
    return go(url_for("payroll.account"))


def _statement(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    rows = list(reversed(queries.user_deductions(current_user, year)))
    return rows, queries.year_total(rows)


@bp.get("/account/payroll/<int:year>")
@login_required
def statement(year: int):
    """A printable yearly statement of the person's payroll gifts."""
    rows, total = _statement(year)
    return render_template("payroll/statement.html", year=year, rows=rows, total=total,
                           months=months)


@bp.get("/account/payroll/<int:year>.csv")
@login_required
def statement_csv(year: int):
    """The yearly statement as CSV."""
    rows, total = _statement(year)
    # The amount that stands now: a corrected month counts with its correction.
    lines = [[months.label(d.month), name, csvexport.kronor_cell(amount),
              "Återtagen" if reversed_ else ""] for d, name, reversed_, amount in rows]
    lines.append(["Summa", "", csvexport.kronor_cell(total), ""])
    return csvexport.response(["Månad", "Arbetsplats", "Belopp (kr)", "Anmärkning"], lines,
                              f"loneavdrag-{year}.csv")

