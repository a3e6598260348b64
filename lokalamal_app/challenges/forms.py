"""Forms for proposing and answering challenges."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import strip_filter
from ..models.challenge import GREETING_MAX, MEASURES, REPLY_MAX
from . import queries
from .services import period_problem


class SwedishDateField(DateField):
    """A date field whose parse error is in Swedish."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Skriv datumet som ÅÅÅÅ-MM-DD.") from exc


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChallengeForm(FlaskForm):
    """Challenge one workplace by name and/or suggested neighbours."""

    challenger = SelectField("Vår arbetsplats", coerce=int, validate_choice=False)
    opponent = StringField(
        "Arbetsplats att utmana", filters=[strip_filter],
        validators=[Optional(), Length(max=120, message="Namnet är för långt.")],
        description="Skriv arbetsplatsens namn, eller kryssa i grannar nedan.",
    )
    neighbours = CheckboxList("Grannar vi kan utmana", coerce=int, validate_choice=False)
    starts_on = SwedishDateField("Startdatum", validators=[InputRequired("Ange ett startdatum.")])
    ends_on = SwedishDateField("Slutdatum", validators=[InputRequired("Ange ett slutdatum.")])
    measure = SelectField("Så avgörs utmaningen",
                          choices=[SelectChoice(k, v) for k, v in MEASURES.items()],
                          default="total")
    goal = SelectField("Lokalt mål", coerce=int, default=0,
                       description="Väljer ni ett mål räknas bara insamlingar till det målet.")
    greeting = TextAreaField(
        "Hälsning till grannarna", filters=[strip_filter],
        validators=[Length(max=GREETING_MAX,
                           message=f"Hälsningen får vara högst {GREETING_MAX} tecken.")],
    )
    rematch_of = HiddenField()

    def __init__(self, *args, admin_companies=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.challenger.choices = [SelectChoice(c.id, c.name) for c in admin_companies]
        self.goal.choices = [SelectChoice(0, "Alla fem målen")] + [
            SelectChoice(g.id, f"#{g.number} {g.title}") for g in goals]
        self.opponent_companies = []
        self.today = date.today()

    def validate_challenger(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Välj en arbetsplats som du är administratör för.")

    def validate_goal(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Välj ett av de fem målen.")

    def validate_opponent(self, field):
        if field.data:
            company = queries.company_by_name(field.data)
            if company is None:
                raise ValidationError("Vi hittar ingen arbetsplats med det namnet.")
            if company.id == self.challenger.data:
                raise ValidationError("Ni kan inte utmana er egen arbetsplats.")
            self.opponent_companies.append(company)

    def validate_neighbours(self, field):
        from ..extensions import db
        from ..models import Company

        ids = [i for i in (field.data or []) if isinstance(i, int)]
        if len(ids) > 20:
            raise ValidationError("Högst 20 arbetsplatser kan vara med i samma utmaning.")
        if any(not 0 < i < 2**31 for i in ids):  # no such id; the database cannot take it
            raise ValidationError("En av arbetsplatserna finns inte.")
        found = db.session.execute(db.select(Company).where(Company.id.in_(ids))).scalars().all()
        if len(found) != len(set(ids)):
            raise ValidationError("En av arbetsplatserna finns inte längre.")
        if any(c.id == self.challenger.data for c in found):
            raise ValidationError("Ni kan inte utmana er egen arbetsplats.")
        self.opponent_companies.extend(found)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.opponent_companies:
            self.opponent.errors.append("Välj minst en arbetsplats att utmana.")
            ok = False
        if self.starts_on.data and self.ends_on.data:
            problem = period_problem(self.starts_on.data, self.ends_on.data, self.today)
            if problem:
                getattr(self, problem[0]).errors.append(problem[1])
                ok = False
        return ok


class AnswerForm(FlaskForm):
    """Accept or decline, with an optional reply, on behalf of one workplace."""

    company = HiddenField()
    reply = TextAreaField(
        "Svar (valfritt)", filters=[strip_filter],
        validators=[Length(max=REPLY_MAX, message=f"Svaret får vara högst {REPLY_MAX} tecken.")],
    )
