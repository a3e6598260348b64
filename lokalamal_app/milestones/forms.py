"""Forms for setting and removing milestones."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import Form, KronorField, strip_filter
from . import services


class MilestoneForm(Form):
    amount = KronorField(
        _l("Vid hur mycket?"), validators=[DataRequired(_l("Skriv ett belopp."))],
        description=_l("Till exempel 10 000."),
    )
    promise = StringField(
        _l("Vad händer då?"), filters=[strip_filter],
        description=_l("Till exempel: chefen bjuder på tårta."),
        validators=[DataRequired(_l("Skriv vad ni lovar.")),
                    Length(max=services.PROMISE_MAX,
                           message=_l("Löftet får ha högst %(max)s tecken.",
                                      max=services.PROMISE_MAX))],
    )

    def validate_amount(self, field):
        if field.ore is None:
            return
        if field.ore <= 0:
            raise ValidationError(_("Beloppet måste vara mer än 0 kr."))
        if field.ore > services.AMOUNT_MAX_ORE:
            raise ValidationError(_("Beloppet kan vara högst 10 000 000 kr."))
