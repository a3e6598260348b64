"""Form pieces shared by every feature."""

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

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
            return
        if len(str(self.data)) > 40:
            raise ValidationError(_("Beloppet är för långt."))
        try:
            self.ore = parse_kronor(self.data)
        except MoneyError as exc:
            raise ValidationError(str(exc)) from exc
