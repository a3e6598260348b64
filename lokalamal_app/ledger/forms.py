"""Forms for logging, handling, correcting and exporting collections."""

import re
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import clock, page_cache
from ..forms import FUTURE_DAYS, DateInRange, Form, KronorField, strip_filter
from ..inputs import small_int
from ..models.ledger import METHODS, REFERENCE_MAX, STATUSES
from ..money import format_ore
from .services import NOTE_MAX, REASON_MAX

try:  # WTForms 3.3 declares options as SelectChoice; older versions take tuples.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def choices(pairs) -> list:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


# What people pick when they log. Employer matches are written by the matching rule and
# payroll gifts by the monthly payroll run, never typed: a typed "Löneavdrag" would count
# the same salary money a second time next to the run.
WRITTEN_BY_THE_APP = ("match", "payroll")
LOG_METHODS = [(key, label) for key, label in METHODS.items() if key not in WRITTEN_BY_THE_APP]
_KEY = re.compile(r"[0-9a-f]{32}")


def new_key() -> str:
    # A page kept in the cache gets a new key for every answer (page_cache.fresh_key).
    return page_cache.fresh_key()


def parse_day(text: str | None) -> date:
    """YYYY-MM-DD into a date, with a message (in the visitor's language) when it is not one."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValidationError(_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-20."))
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(_("Det datumet finns inte. Skriv det som ÅÅÅÅ-MM-DD.")) from exc


class DayField(StringField):
    """A date typed or picked as YYYY-MM-DD; `.day` holds the parsed date."""

    day: date | None = None

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        self.day = None
        if self.raw_data and not str(self.raw_data[0]).strip():
            # Only spaces is no date: the required check (or Optional) sees an empty field.
            self.raw_data = []
        if self.data and str(self.data).strip():
            self.day = parse_day(self.data)


def _check_amount(form, field):
    if field.ore is None:
        return
    if field.ore <= 0:
        raise ValidationError(_("Beloppet måste vara större än noll."))
    maximum = current_app.config["MAX_COLLECTION_ORE"]
    if field.ore > maximum:
        raise ValidationError(
            _("En insamling kan vara högst %(amount)s. Dela upp större summor.",
              amount=format_ore(maximum))
        )


class CollectionFields(Form):
    amount = KronorField(
        _l("Belopp i kronor"),
        filters=[strip_filter],
        validators=[InputRequired(_l("Skriv ett belopp.")), _check_amount],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l("Till exempel 1 250 eller 1 250,50."),
    )
    collected_on = DayField(
        _l("Datum då ni samlade in"),
        validators=[InputRequired(_l("Skriv datumet.")), DateInRange()],
    )
    method = SelectField(
        _l("Hur pengarna gavs"),
        choices=choices(LOG_METHODS),
        validate_choice=False,
        validators=[InputRequired(_l("Välj hur pengarna gavs."))],
    )
    note = StringField(
        _l("Kort anteckning"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=NOTE_MAX,
                                       message=_l("Anteckningen får vara högst %(max)s tecken.",
                                                  max=NOTE_MAX))],
        render_kw={"placeholder": _l("till exempel fikaförsäljning fredag"),
                   "maxlength": NOTE_MAX},
    )

    def validate_method(self, field):
        if field.data not in dict(LOG_METHODS):
            raise ValidationError(_("Välj ett av sätten i listan."))


class CollectionForm(CollectionFields):
    """Log a collection. The idempotency key makes a replayed post record nothing new."""

    idempotency_key = HiddenField()

    def validate_idempotency_key(self, field):
        if not field.data or not _KEY.fullmatch(field.data):
            raise ValidationError(
                _("Formuläret saknar sin nyckel. Ladda om sidan och försök igen."))

    @classmethod
    def fresh(cls, **kwargs) -> "CollectionForm":
        """A new, empty form with today's date and its own key."""
        form = cls(formdata=None, **kwargs)
        form.collected_on.data = clock.today().isoformat()
        form.method.data = "swish"
        form.idempotency_key.data = new_key()
        return form


class CorrectionForm(CollectionFields):
    reason = TextAreaField(
        _l("Varför rättas posten?"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Skriv varför posten rättas.")),
                    Length(max=REASON_MAX,
                           message=_l("Skriv högst %(max)s tecken.", max=REASON_MAX))],
    )

    def keep_method(self, method: str) -> None:
        """Offer the corrected entry's own method too (a payroll gift stays a payroll
        gift); a match is never typed, not even by a correction."""
        if method not in dict(LOG_METHODS) and method != "match":
            self.method.choices = [*self.method.choices, *choices([(method, METHODS[method])])]

    def validate_method(self, field):
        if field.data not in {choice.value for choice in self.method.choices}:
            raise ValidationError(_("Välj ett av sätten i listan."))


class RejectForm(Form):
    reason = TextAreaField(
        _l("Varför avvisas posten?"),
        filters=[strip_filter],
        validators=[DataRequired(
                        _l("Skriv varför posten avvisas; den som registrerade den får se det.")),
                    Length(max=REASON_MAX,
                           message=_l("Skriv högst %(max)s tecken.", max=REASON_MAX))],
    )


class ReceiveForm(Form):
    """The mission marks money as received: the receipt's or bank row's reference and the
    day it reached the account."""

    reference = StringField(
        _l("Referens"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Skriv en referens: kvittots nummer, bankens "
                                    "verifikation eller rapportens rad.")),
                    Length(max=REFERENCE_MAX,
                           message=_l("Skriv högst %(max)s tecken.", max=REFERENCE_MAX))],
        render_kw={"autocomplete": "off"},
    )
    received_on = DayField(
        _l("Datum då pengarna kom in"),
        validators=[InputRequired(_l("Skriv datumet.")), DateInRange()],
    )

    @classmethod
    def fresh(cls, **kwargs) -> "ReceiveForm":
        """An empty form with today's date."""
        form = cls(formdata=None, **kwargs)
        form.received_on.data = clock.today().isoformat()
        return form


class ExportFilterForm(Form):
    """Filters for the ledger export; read from the query string, no CSRF (a GET)."""

    class Meta:
        csrf = False

    date_from = DayField(_l("Från och med"), validators=[Optional(), DateInRange(FUTURE_DAYS)])
    date_to = DayField(_l("Till och med"), validators=[Optional(), DateInRange(FUTURE_DAYS)])
    # Stripped: a value of only spaces is no choice (Optional lets it through as it is).
    goal = SelectField(_l("Mål"), coerce=str, validate_choice=False, filters=[strip_filter],
                       validators=[Optional()])
    company = SelectField(_l("Arbetsplats"), coerce=str, validate_choice=False,
                          filters=[strip_filter], validators=[Optional()])
    team = StringField(_l("Lag (nummer)"), filters=[strip_filter], validators=[Optional()])
    method = SelectField(_l("Sätt"), choices=choices([("", _l("Alla"))] + list(METHODS.items())),
                         validate_choice=False, validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices([("", _l("Alla"))] + list(STATUSES.items())),
                         validate_choice=False, validators=[Optional()])

    allowed_goals: set[str] = set()
    allowed_companies: set[str] = set()

    def set_options(self, goals, companies, all_label: str) -> None:
        """Fill the goal and workplace lists (the workplaces this person may export)."""
        self.goal.choices = choices([("", _("Alla"))] + [(str(g.id), f"#{g.number} {g.title}")
                                                      for g in goals])
        self.company.choices = choices([("", all_label)] + [(str(c.id), c.name)
                                                            for c in companies])
        self.allowed_goals = {str(g.id) for g in goals}
        self.allowed_companies = {str(c.id) for c in companies}

    def validate_date_to(self, field):
        if field.day and self.date_from.day and field.day < self.date_from.day:
            raise ValidationError(_("Slutdatumet ligger före startdatumet."))

    def validate_goal(self, field):
        if field.data and field.data not in self.allowed_goals:
            raise ValidationError(_("Välj ett mål i listan."))

    def validate_company(self, field):
        if field.data and field.data not in self.allowed_companies:
            raise ValidationError(_("Välj en arbetsplats i listan."))

    def validate_team(self, field):
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_("Lagets nummer ska vara siffror."))
        if field.data and small_int(field.data) is None:
            raise ValidationError(_("Det finns inget lag med det numret."))

    def validate_method(self, field):
        if field.data and field.data not in METHODS:
            raise ValidationError(_("Välj ett sätt i listan."))

    def validate_status(self, field):
        if field.data and field.data not in STATUSES:
            raise ValidationError(_("Välj en status i listan."))
