"""Form pieces shared by every feature."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from .money import MoneyError, parse_kronor


class EmptyForm(FlaskForm):
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
