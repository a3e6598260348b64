"""Forms for a workplace's webhooks."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from ..forms import Form, strip_filter
from .urls import URL_MAX, WebhookUrlError, check_url


class WebhookForm(Form):
    url = StringField(
        _l("Webhookadress från Slack eller Teams"), filters=[strip_filter],
        description=_l("Börjar med https://hooks.slack.com/ eller är en Teams-webhook "
                       "(…webhook.office.com eller …logic.azure.com)."),
        validators=[DataRequired(_l("Skriv webhookadressen."))],
    )
    kind: str = ""

    def validate_url(self, field):
        if field.data and len(field.data) > URL_MAX * 2:
            raise ValidationError(str(_l("Adressen är för lång.")))
        try:
            field.data, self.kind = check_url(field.data or "")
        except WebhookUrlError as exc:
            raise ValidationError(str(exc)) from exc
