"""Forms for proposing and answering challenges."""


from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from .. import clock
from ..forms import FUTURE_DAYS, DateInRange, Form, strip_filter
from ..models.challenge import GREETING_MAX, REPLY_MAX
from . import queries
from .scoring import SCORINGS
from .services import period_problem


class SwedishDateField(DateField):
    """A date field whose parse error is in the visitor's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Skriv datumet som ÅÅÅÅ-MM-DD.")) from exc


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChallengeForm(Form):
    """Challenge one workplace by name and/or suggested neighbours."""

    challenger = SelectField(_l("Vår arbetsplats"), coerce=int, validate_choice=False)
    opponent = StringField(
        _l("Arbetsplats att utmana"), filters=[strip_filter],
        validators=[Optional(), Length(max=120, message=_l("Namnet är för långt."))],
        description=_l("Skriv arbetsplatsens namn, eller kryssa i grannar nedan."),
    )
    neighbours = CheckboxList(_l("Grannar vi kan utmana"), coerce=int, validate_choice=False)
    starts_on = SwedishDateField(_l("Startdatum"), validators=[
        InputRequired(_l("Ange ett startdatum.")), DateInRange(FUTURE_DAYS)])
    ends_on = SwedishDateField(_l("Slutdatum"), validators=[
        InputRequired(_l("Ange ett slutdatum.")), DateInRange(FUTURE_DAYS)])
    measure = SelectField(_l("Så avgörs utmaningen"),
                          choices=[SelectChoice(k, v.label) for k, v in SCORINGS.items()],
                          default="total")
    goal = SelectField(_l("Lokalt mål"), coerce=int, default=0,
                       description=_l("Väljer ni ett mål räknas bara insamlingar till det målet."))
    greeting = TextAreaField(
        _l("Hälsning till grannarna"), filters=[strip_filter],
        validators=[Length(max=GREETING_MAX,
                           message=_l("Hälsningen får vara högst %(max)s tecken.", max=GREETING_MAX))],
    )
    rematch_of = HiddenField()

    def __init__(self, *args, admin_companies=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.challenger.choices = [SelectChoice(c.id, c.name) for c in admin_companies]
        self.goal.choices = [SelectChoice(0, _("Alla fem målen"))] + [
            SelectChoice(g.id, f"#{g.number} {g.title}") for g in goals]
        self.opponent_companies = []
        self.today = clock.today()

    def validate_challenger(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Välj en arbetsplats som du är administratör för."))

    def validate_goal(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Välj ett av de fem målen."))

    def validate_opponent(self, field):
        if field.data:
            company = queries.company_by_name(field.data)
            if company is None:
                raise ValidationError(_("Vi hittar ingen arbetsplats med det namnet."))
            if company.id == self.challenger.data:
                raise ValidationError(_("Ni kan inte utmana er egen arbetsplats."))
            self.opponent_companies.append(company)

    def validate_neighbours(self, field):
        from ..extensions import db
        from ..models import Company

        ids = [i for i in (field.data or []) if isinstance(i, int)]
        if len(ids) > 20:
            raise ValidationError(_("Högst 20 arbetsplatser kan vara med i samma utmaning."))
        if any(not 0 < i < 2**31 for i in ids):  # no such id; the database cannot take it
            raise ValidationError(_("En av arbetsplatserna finns inte."))
        found = db.session.execute(db.select(Company).where(Company.id.in_(ids))).scalars().all()
        if len(found) != len(set(ids)):
            raise ValidationError(_("En av arbetsplatserna finns inte längre."))
        if any(c.id == self.challenger.data for c in found):
            raise ValidationError(_("Ni kan inte utmana er egen arbetsplats."))
        self.opponent_companies.extend(found)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.opponent_companies:
            self.opponent.errors.append(_("Välj minst en arbetsplats att utmana."))
            ok = False
        if self.starts_on.data and self.ends_on.data:
            problem = period_problem(self.starts_on.data, self.ends_on.data, self.today)
            if problem:
                getattr(self, problem[0]).errors.append(problem[1])
                ok = False
        return ok


class AnswerForm(Form):
    """Accept or decline, with an optional reply, on behalf of one workplace; `scoring` is
    the scoring the admin saw, so an acceptance is always for the scoring shown."""

    company = HiddenField()
    scoring = HiddenField()
    reply = TextAreaField(
        _l("Svar (valfritt)"), filters=[strip_filter],
        validators=[Length(max=REPLY_MAX, message=_l("Svaret får vara högst %(max)s tecken.", max=REPLY_MAX))],
    )


class ScoringForm(Form):
    """Staff choose how a challenge is decided, before it starts."""

    scoring = SelectField(_l("Så avgörs utmaningen"),
                          choices=[SelectChoice(k, v.label) for k, v in SCORINGS.items()])
