"""Forms: post an activity, vote, the public-vote setting."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .. import clock
from ..forms import Form, strip_filter
from ..models.activity import TEXT_MAX
from .services import KINDS, MAX_HALF_HOURS, date_problem

_HOURS = re.compile(r"([0-9]{1,4})(?:[,.]([0-9]{1,2}))?")


class HoursField(StringField):
    """Volunteering hours in whole or half hours ("2", "1,5"); `.half_hours` holds them."""

    half_hours: int = 0

    def pre_validate(self, form):
        self.half_hours = 0
        text = (self.data or "").strip().replace(" ", "")
        if not text:
            return
        match = _HOURS.fullmatch(text)
        if not match:
            raise ValidationError(_("Skriv antal timmar, till exempel 2 eller 1,5."))
        whole, part = int(match.group(1)), (match.group(2) or "0").rstrip("0") or "0"
        if part not in ("0", "5"):
            raise ValidationError(_("Skriv hela eller halva timmar, till exempel 2 eller 1,5."))
        self.half_hours = whole * 2 + (1 if part == "5" else 0)
        if self.half_hours > MAX_HALF_HOURS:
            raise ValidationError(_("Högst %(max)s timmar per aktivitet.", max=MAX_HALF_HOURS // 2))


class DayField(DateField):
    """A date field whose parse error is in the visitor's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Skriv datumet som ÅÅÅÅ-MM-DD.")) from exc


class ActivityForm(Form):
    happened_on = DayField(_l("Datum"), validators=[
        InputRequired(message=_l("Skriv datumet som ÅÅÅÅ-MM-DD."))])
    kind = SelectField(_l("Vad gjorde ni?"),
                       choices=[SelectChoice(k, v) for k, v in KINDS.items()])
    text = TextAreaField(_l("Berätta kort"), filters=[strip_filter], validators=[
        InputRequired(message=_l("Berätta kort vad ni gjorde.")),
        Length(max=TEXT_MAX, message=_l("Högst %(max)d tecken."))])
    hours = HoursField(_l("Volontärtimmar (frivilligt)"), filters=[strip_filter],
                       description=_l("Alla som var med tillsammans, i hela eller halva timmar."))
    is_public = BooleanField(_l("Visa för alla (annars bara för arbetsplatsen)"))
    photo = FileField(_l("Foto (frivilligt)"),
                      description=_l("JPEG, PNG eller WebP. Vi tar bort platsuppgifter ur bilden."))

    def validate_happened_on(self, field):
        if problem := date_problem(field.data, clock.today()):
            raise ValidationError(problem)


class VoteForm(Form):
    activity = IntegerField(_l("Aktivitet"), validators=[Optional()])


class PublicVotesForm(Form):
    public_votes = BooleanField(_l("Låt allmänheten rösta också"))
