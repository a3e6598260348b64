"""Forms for staff to plan a campaign's rounds."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from ..forms import Form, strip_filter


class _DateField(DateField):
    """A date field whose parse error is in the visitor's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Skriv datumet som ÅÅÅÅ-MM-DD.")) from exc


class RoundForm(Form):
    """One round by its dates; the name may be left out (then the month's name)."""

    name = StringField(_l("Namn (valfritt)"), filters=[strip_filter],
                       validators=[Length(max=80, message=_l("Namnet får vara högst 80 tecken."))])
    starts_on = _DateField(_l("Första dagen"),
                           validators=[InputRequired(_l("Ange omgångens första dag."))])
    ends_on = _DateField(_l("Sista dagen"),
                         validators=[InputRequired(_l("Ange omgångens sista dag."))])
