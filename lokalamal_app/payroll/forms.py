"""Forms for payroll giving and employer matching."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import FUTURE_DAYS, DateInRange, Form, KronorField, strip_filter
from ..i18n_request import _
from ..money import format_ore
from . import months
from .matching import SCOPES
from .services import MAX_MONTHLY_ORE

KINDS = [("fixed", _l("Fast belopp i månaden")), ("permille", _l("Promille av lönen"))]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def parse_permille(text: str) -> int:
    """"2,5" -> 25 tenths of a per mille; raises ValueError with a message for the user."""
    cleaned = re.sub(r"\s|‰|promille", "", text or "").replace(",", ".")
    if not cleaned:
        raise ValueError(_("Skriv hur många promille av lönen du vill ge."))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Skriv promillen som ett tal, till exempel 5 eller 2,5.")) from None
    if value != value.quantize(Decimal("0.1")):
        raise ValueError(_("Promillen kan ha högst en decimal, till exempel 2,5."))
    tenths = int(value * 10)
    if not 1 <= tenths <= 1000:
        raise ValueError(_("Promillen ska vara mellan 0,1 och 100 ‰."))
    return tenths


class SchemeForm(Form):
    enabled = BooleanField(_l("Erbjud löneavdrag till stadsmissionen"))
    allow_fixed = BooleanField(_l("Fast belopp i månaden"))
    allow_permille = BooleanField(_l("Promille av lönen"))
    min_monthly = KronorField(_l("Lägsta belopp i månaden (kr)"), filters=[strip_filter],
                              description=_l("Gäller fasta belopp. Skriv 0 för inget lägsta belopp."))
    closing_day = IntegerField(
        _l("Lönebrytdag (dag i månaden)"),
        validators=[InputRequired(_l("Skriv vilken dag lönen stängs.")),
                    NumberRange(1, 28, _l("Välj en dag mellan 1 och 28."))],
        description=_l("Ändringar efter den dagen gäller från nästa månad."))
    uses_employee_numbers = BooleanField(_l("Vi använder anställningsnummer"))

    def validate_min_monthly(self, field):
        if field.ore is None:
            raise ValidationError(_("Skriv ett belopp, eller 0."))
        if field.ore < 0 or field.ore > MAX_MONTHLY_ORE:
            raise ValidationError(_("Lägsta belopp ska vara mellan 0 och 100 000 kr."))

    def validate_allow_permille(self, field):
        if self.enabled.data and not (field.data or self.allow_fixed.data):
            raise ValidationError(_("Välj minst en form: fast belopp eller promille."))


class PledgeForm(Form):
    kind = RadioField(_l("Hur vill du ge?"), choices=_choices(KINDS), default="fixed",
                      validators=[InputRequired(_l("Välj fast belopp eller promille."))])
    amount = KronorField(_l("Belopp i månaden (kr)"), filters=[strip_filter])
    permille = StringField(_l("Promille av månadslönen (‰)"), filters=[strip_filter],
                           validators=[Length(max=20)],
                           description=_l("Mellan 0,1 och 100 ‰. Lönen sparas aldrig här."))
    goal = SelectField(_l("Mål för gåvan"), coerce=int, validate_choice=False,
                       description=_l("Bara om du inte är med i något lag."))
    employee_number = StringField(_l("Anställningsnummer"), filters=[strip_filter],
                                  validators=[Length(max=30, message=_l("Högst 30 tecken."))])
    start_month = StringField(_l("Från och med månad"), filters=[strip_filter],
                              validators=[DateInRange(FUTURE_DAYS)],
                              description=_l("År och månad, till exempel 2026-12."))

    def __init__(self, *args, scheme=None, needs_goal=False, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.needs_goal = needs_goal
        self.goal_ids = {g.id for g in goals}
        self.goal.choices = _choices([(0, _("Välj mål"))] + [(g.id, f"{g.label} {g.title}")
                                                          for g in goals])
        self.permille_tenths = None
        self.kinds = [c for c in KINDS if scheme is None
                      or (c[0] == "fixed" and scheme.allow_fixed)
                      or (c[0] == "permille" and scheme.allow_permille)]
        self.kind.choices = _choices(self.kinds)

    def validate_kind(self, field):
        if field.data not in dict(self.kinds):
            raise ValidationError(_("Arbetsplatsen erbjuder inte den formen."))

    def validate_amount(self, field):
        if self.kind.data != "fixed":
            return
        if field.ore is None:
            raise ValidationError(_("Skriv hur mycket du vill ge varje månad."))
        if field.ore <= 0:
            raise ValidationError(_("Beloppet måste vara större än noll."))
        if field.ore > MAX_MONTHLY_ORE:
            raise ValidationError(_("Det är mer än vi tar emot via lönen: högst 100 000 kr i månaden."))
        if self.scheme and field.ore < self.scheme.min_monthly_ore:
            raise ValidationError(
                _("Arbetsplatsens lägsta belopp är %(amount)s i månaden.",
                  amount=format_ore(self.scheme.min_monthly_ore)))

    def validate_permille(self, field):
        if self.kind.data != "permille":
            return
        try:
            self.permille_tenths = parse_permille(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_goal(self, field):
        if self.needs_goal and field.data not in self.goal_ids:
            raise ValidationError(_("Välj vilket mål gåvan ska gå till."))

    def validate_employee_number(self, field):
        if self.scheme and self.scheme.uses_employee_numbers and not field.data:
            raise ValidationError(_("Skriv ditt anställningsnummer, så hittar lönekontoret dig."))

    def validate_start_month(self, field):
        if field.data and not months.is_month(field.data):
            raise ValidationError(_("Skriv år och månad, till exempel 2026-12."))


class MatchRuleForm(Form):
    percent = IntegerField(_l("Arbetsgivaren lägger till (procent)"), validators=[
        InputRequired(_l("Skriv hur många procent.")),
        NumberRange(1, 100, _l("Matchningen ska vara mellan 1 och 100 procent."))])
    cap = KronorField(_l("Tak per anställd och år (kr)"), filters=[strip_filter])
    scope = RadioField(_l("Vad matchas?"), choices=_choices(SCOPES.items()), default="payroll",
                       validators=[InputRequired(_l("Välj vad som ska matchas."))])
    starts_on = DateField(_l("Från och med"), validators=[
        InputRequired(_l("Välj ett startdatum.")), DateInRange(FUTURE_DAYS)])
    ends_on = DateField(_l("Till och med (valfritt)"),
                        validators=[Optional(), DateInRange(FUTURE_DAYS)])

    def validate_cap(self, field):
        if field.ore is None:
            raise ValidationError(_("Skriv ett tak i kronor."))
        if field.ore < 0:
            raise ValidationError(_("Taket kan inte vara mindre än noll."))
        if field.ore > 10_000_000:
            raise ValidationError(_("Taket får vara högst 100 000 kr per anställd och år."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("Slutdatumet måste komma efter startdatumet."))


class ImportForm(Form):
    file = FileField(_l("Fil från lönesystemet (CSV)"),
                     validators=[FileRequired(_l("Välj en CSV-fil att läsa in."))])
