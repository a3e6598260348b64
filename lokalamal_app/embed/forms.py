"""Forms for the widget's allowed intranet origins."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from ..forms import Form, strip_filter
from .origins import OriginError, check_origin


class OriginForm(Form):
    origin = StringField(
        _l("Intranätets adress"), filters=[strip_filter],
        description=_l("Till exempel https://intranat.example.se. Bara https."),
        validators=[DataRequired(_l("Skriv intranätets adress."))],
    )

    def validate_origin(self, field):
        try:
            field.data = check_origin(field.data or "")
        except OriginError as exc:
            raise ValidationError(str(exc)) from exc
