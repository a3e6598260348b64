"""Forms for Mina sidor."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..forms import Form


class PrivacyForm(Form):
    show_name = BooleanField(_l("Visa mitt namn för alla"))
