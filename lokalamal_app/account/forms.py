"""Forms for Mina sidor."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..forms import Form


class PrivacyForm(Form):
    hide_name = BooleanField(_l("Visa mig som ”en kollega” i stället för med mitt namn"))
