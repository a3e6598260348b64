"""Form pieces shared by every feature."""

import re
from datetime import date, timedelta
from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from . import clock
from .money import MoneyError, parse_kronor


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """The base of every form here: CSRF from Flask-WTF, and WTForms' own messages in the
    visitor's language read once per process (Flask-WTF reads the catalogue from disk
    again for every request, which was a noticeable part of every form post)."""

    class Meta:
        def get_translations(self, form):
            locale = get_locale()
            return _wtforms_translations(str(locale)) if locale is not None else None


class EmptyForm(Form):
    """Carries only the CSRF token, for button posts (log out, join, leave...)."""


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class KronorField(StringField):
    """A money field: people type kronor the way they like; `.ore` holds whole öre."""

    ore: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.ore = None

    def pre_validate(self, form):
        self.ore = None
        if self.data is None or not str(self.data).strip():
            # Only spaces (or none): empty. A required amount says so here, because
            # InputRequired counts the spaces as input.
            if self.flags.required and self.raw_data and self.raw_data[0]:
                raise ValidationError(_("Skriv ett belopp."))
            return
        if len(str(self.data)) > 40:
            raise ValidationError(_("Beloppet är för långt."))
        try:
            self.ore = parse_kronor(self.data, locale=str(get_locale() or "sv"))
        except MoneyError as exc:
            raise ValidationError(str(exc)) from exc


# No date in the app is older than this: the mission's records, not the calendar's.
EARLIEST_DATE = date(2000, 1, 1)
# How far ahead a planned date (a challenge, a pledge, a rule) or a filter may reach.
FUTURE_DAYS = 2 * 366
_MONTH_TEXT = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


class DateInRange:
    """Every date field's range: from EARLIEST_DATE to today plus `future_days` (0: nothing
    after today), with a message at the field. Takes date fields, the ledger's day fields
    (`.day`) and month fields ("YYYY-MM", checked by their first day)."""

    def __init__(self, future_days: int = 0):
        self.future_days = future_days

    def __call__(self, form, field):
        value, is_month = getattr(field, "day", None) or field.data, False
        if isinstance(value, str):
            if not _MONTH_TEXT.fullmatch(value.strip()):
                return  # the field's own check says what is wrong with the text
            value, is_month = date(int(value[:4]), int(value[5:7]), 1), True
        if not isinstance(value, date):
            return
        latest = clock.today() + timedelta(days=self.future_days)
        if value < EARLIEST_DATE:
            first = EARLIEST_DATE.strftime("%Y-%m" if is_month else "%Y-%m-%d")
            raise ValidationError(
                _("Det är för långt bak i tiden. Välj från och med %(first)s.", first=first))
        if value > latest:
            if not self.future_days:
                raise ValidationError(_("Datumet kan inte ligga i framtiden."))
            last = latest.strftime("%Y-%m" if is_month else "%Y-%m-%d")
            raise ValidationError(
                _("Det är för långt fram i tiden. Välj senast %(last)s.", last=last))
