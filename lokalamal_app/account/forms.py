"""Forms for Mina sidor."""

from flask_wtf import FlaskForm
from wtforms import BooleanField


class PrivacyForm(FlaskForm):
    hide_name = BooleanField("Visa mig som ”en kollega” i stället för med mitt namn")
