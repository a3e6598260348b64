"""Forms for payroll giving and employer matching."""

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import KronorField, strip_filter
from ..money import format_ore
from . import months
from .matching import SCOPES
from .services import MAX_MONTHLY_ORE

KINDS = [("fixed", "Fast belopp i månaden"), ("permille", "Promille av lönen")]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def parse_permille(text: str) -> int:
    """"2,5" -> 25 tenths of a per mille; raises ValueError with a Swedish message."""
    cleaned = re.sub(r"\s|‰|promille", "", text or "").replace(",", ".")
    if not cleaned:
        raise ValueError("Skriv hur många promille av lönen du vill ge.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Skriv promillen som ett tal, till exempel 5 eller 2,5.") from None
    if value != value.quantize(Decimal("0.1")):
        raise ValueError("Promillen kan ha högst en decimal, till exempel 2,5.")
    tenths = int(value * 10)
    if not 1 <= tenths <= 1000:
        raise ValueError("Promillen ska vara mellan 0,1 och 100 ‰.")
    return tenths


class SchemeForm(FlaskForm):
    enabled = BooleanField("Erbjud löneavdrag till stadsmissionen")
    allow_fixed = BooleanField("Fast belopp i månaden")
    allow_permille = BooleanField("Promille av lönen")
    min_monthly = KronorField("Lägsta belopp i månaden (kr)", filters=[strip_filter],
                              description="Gäller fasta belopp. Skriv 0 för inget lägsta belopp.")
    closing_day = IntegerField(
        "Lönebrytdag (dag i månaden)",
        validators=[InputRequired("Skriv vilken dag lönen stängs."),
                    NumberRange(1, 28, "Välj en dag mellan 1 och 28.")],
        description="Ändringar efter den dagen gäller från nästa månad.")
    uses_employee_numbers = BooleanField("Vi använder anställningsnummer")

    def validate_min_monthly(self, field):
        if field.ore is None:
            raise ValidationError("Skriv ett belopp, eller 0.")
        if field.ore < 0 or field.ore > MAX_MONTHLY_ORE:
            raise ValidationError("Lägsta belopp ska vara mellan 0 och 100 000 kr.")

    def validate_allow_permille(self, field):
        if self.enabled.data and not (field.data or self.allow_fixed.data):
            raise ValidationError("Välj minst en form: fast belopp eller promille.")


class PledgeForm(FlaskForm):
    kind = RadioField("Hur vill du ge?", choices=_choices(KINDS), default="fixed",
                      validators=[InputRequired("Välj fast belopp eller promille.")])
    amount = KronorField("Belopp i månaden (kr)", filters=[strip_filter])
    permille = StringField("Promille av månadslönen (‰)", filters=[strip_filter],
                           validators=[Length(max=20)],
                           description="Mellan 0,1 och 100 ‰. Lönen sparas aldrig här.")
    goal = SelectField("Mål för gåvan", coerce=int, validate_choice=False,
                       description="Bara om du inte är med i något lag.")
    employee_number = StringField("Anställningsnummer", filters=[strip_filter],
                                  validators=[Length(max=30, message="Högst 30 tecken.")])
    start_month = StringField("Från och med månad", filters=[strip_filter],
                              description="År och månad, till exempel 2026-12.")

    def __init__(self, *args, scheme=None, needs_goal=False, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.needs_goal = needs_goal
        self.goal_ids = {g.id for g in goals}
        self.goal.choices = _choices([(0, "Välj mål")] + [(g.id, f"{g.label} {g.title}")
                                                          for g in goals])
        self.permille_tenths = None
        self.kinds = [c for c in KINDS if scheme is None
                      or (c[0] == "fixed" and scheme.allow_fixed)
                      or (c[0] == "permille" and scheme.allow_permille)]
        self.kind.choices = _choices(self.kinds)

    def validate_kind(self, field):
        if field.data not in dict(self.kinds):
            raise ValidationError("Arbetsplatsen erbjuder inte den formen.")

    def validate_amount(self, field):
        if self.kind.data != "fixed":
            return
        if field.ore is None:
            raise ValidationError("Skriv hur mycket du vill ge varje månad.")
        if field.ore <= 0:
            raise ValidationError("Beloppet måste vara större än noll.")
        if field.ore > MAX_MONTHLY_ORE:
            raise ValidationError("Det är mer än vi tar emot via lönen: högst 100 000 kr i månaden.")
        if self.scheme and field.ore < self.scheme.min_monthly_ore:
            raise ValidationError(
                f"Arbetsplatsens lägsta belopp är {format_ore(self.scheme.min_monthly_ore)} i månaden.")

    def validate_permille(self, field):
        if self.kind.data != "permille":
            return
        try:
            self.permille_tenths = parse_permille(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_goal(self, field):
        if self.needs_goal and field.data not in self.goal_ids:
            raise ValidationError("Välj vilket mål gåvan ska gå till.")

    def validate_employee_number(self, field):
        if self.scheme and self.scheme.uses_employee_numbers and not field.data:
            raise ValidationError("Skriv ditt anställningsnummer, så hittar lönekontoret dig.")

    def validate_start_month(self, field):
        if field.data and not months.is_month(field.data):
            raise ValidationError("Skriv år och månad, till exempel 2026-12.")


class MatchRuleForm(FlaskForm):
    percent = IntegerField("Arbetsgivaren lägger till (procent)", validators=[
        InputRequired("Skriv hur många procent."),
        NumberRange(1, 100, "Matchningen ska vara mellan 1 och 100 procent.")])
    cap = KronorField("Tak per anställd och år (kr)", filters=[strip_filter])
    scope = RadioField("Vad matchas?", choices=_choices(SCOPES.items()), default="payroll",
                       validators=[InputRequired("Välj vad som ska matchas.")])
    starts_on = DateField("Från och med", validators=[InputRequired("Välj ett startdatum.")])
    ends_on = DateField("Till och med (valfritt)", validators=[Optional()])

    def validate_cap(self, field):
        if field.ore is None:
            raise ValidationError("Skriv ett tak i kronor.")
        if field.ore < 0:
            raise ValidationError("Taket kan inte vara mindre än noll.")
        if field.ore > 10_000_000:
            raise ValidationError("Taket får vara högst 100 000 kr per anställd och år.")

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("Slutdatumet måste komma efter startdatumet.")


class ImportForm(FlaskForm):
    file = FileField("Fil från lönesystemet (CSV)",
                     validators=[FileRequired("Välj en CSV-fil att läsa in.")])
