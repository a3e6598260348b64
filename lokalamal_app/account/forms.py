"""Forms for Mina sidor."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PrivacyForm(FlaskForm):
    hide_name = BooleanField(_l("Visa mig som ”en kollega” i stället för med mitt namn"))
