"""Forms for registering, handing over, sealing and counting collection boxes."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import clock
from ..forms import DateInRange, Form, strip_filter
from ..ledger.forms import CollectionFields, DayField, choices, new_key
from ..models.cashbox import BOX_NUMBER_MAX, DEPOSIT_REFERENCE_MAX, SEAL_MAX


def _seal_field():
    return StringField(
        _l("Plomberingens nummer"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Skriv plomberingens nummer.")),
                    Length(max=SEAL_MAX, message=_l("Skriv högst %(max)s tecken.", max=SEAL_MAX))],
        render_kw={"autocomplete": "off", "maxlength": SEAL_MAX},
    )


def _keeper_field(label):
    return SelectField(label, coerce=str, validate_choice=False,
                       validators=[DataRequired(_l("Välj en kollega."))])


class _PeopleChoices:
    """A select of the workplace's colleagues; only their ids are accepted."""

    allowed_keepers: set[str] = set()

    def set_keepers(self, people) -> None:
        self.keeper.choices = choices([("", _("Välj…"))] + [
            (str(p.id), p.display_name) for p in people])
        self.allowed_keepers = {str(p.id) for p in people}

    def validate_keeper(self, field):
        if field.data not in self.allowed_keepers:
            raise ValidationError(_("Välj en kollega på arbetsplatsen."))


class BoxForm(_PeopleChoices, Form):
    """Register a box."""

    number = StringField(
        _l("Bössans nummer"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Skriv bössans nummer.")),
                    Length(max=BOX_NUMBER_MAX,
                           message=_l("Skriv högst %(max)s tecken.", max=BOX_NUMBER_MAX))],
        render_kw={"autocomplete": "off", "maxlength": BOX_NUMBER_MAX},
        description=_l("Numret som står på bössan, till exempel 12."),
    )
    seal_number = _seal_field()
    team = SelectField(_l("Laget bössan samlar in till"), coerce=str, validate_choice=False,
                       validators=[DataRequired(_l("Välj ett lag."))])
    keeper = _keeper_field(_l("Vem har hand om bössan?"))

    allowed_teams: set[str] = set()

    def set_teams(self, teams) -> None:
        self.team.choices = choices([("", _("Välj…"))] + [(str(t.id), t.name) for t in teams])
        self.allowed_teams = {str(t.id) for t in teams}

    def validate_team(self, field):
        if field.data not in self.allowed_teams:
            raise ValidationError(_("Välj ett lag i listan."))


class HandoverForm(_PeopleChoices, Form):
    """Hand the box to another colleague."""

    keeper = _keeper_field(_l("Till vem lämnas bössan?"))


class SealForm(Form):
    """A new seal on the box."""

    seal_number = _seal_field()


DEPOSITS = [("bank", _l("Insatt på banken (insättningskvitto)")),
            ("mission", _l("Lämnad till stadsmissionen"))]
SEAL_STATES = [("yes", _l("Ja, plomberingen var hel")), ("no", _l("Nej, den var bruten"))]


class CountForm(Form):
    """The first of two colleagues logs what the box held and where the cash went."""

    amount = CollectionFields.amount
    counted_on = DayField(_l("Datum då ni räknade"),
                          validators=[InputRequired(_l("Skriv datumet.")), DateInRange()])
    seal_intact = RadioField(_l("Var plomberingen hel när ni öppnade bössan?"),
                             choices=choices(SEAL_STATES), validate_choice=False,
                             validators=[InputRequired(_l("Svara om plomberingen var hel."))])
    deposit_kind = RadioField(_l("Vart gick pengarna?"), choices=choices(DEPOSITS),
                              validate_choice=False,
                              validators=[InputRequired(_l("Välj var pengarna lämnades."))])
    deposit_reference = StringField(
        _l("Insättningskvittots nummer"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=DEPOSIT_REFERENCE_MAX,
                                       message=_l("Skriv högst %(max)s tecken.",
                                                  max=DEPOSIT_REFERENCE_MAX))],
        render_kw={"autocomplete": "off", "maxlength": DEPOSIT_REFERENCE_MAX},
        description=_l("Behövs när ni satte in pengarna på banken."),
    )
    deposited_on = DayField(_l("Datum då pengarna lämnades"),
                            validators=[InputRequired(_l("Skriv datumet.")), DateInRange()])
    idempotency_key = HiddenField()

    def validate_idempotency_key(self, field):
        if not field.data or not re.fullmatch(r"[0-9a-f]{32}", field.data):
            raise ValidationError(
                _("Formuläret saknar sin nyckel. Ladda om sidan och försök igen."))

    def validate_seal_intact(self, field):
        if field.data not in dict(SEAL_STATES):
            raise ValidationError(_("Svara om plomberingen var hel."))

    def validate_deposit_kind(self, field):
        if field.data not in dict(DEPOSITS):
            raise ValidationError(_("Välj var pengarna lämnades."))

    def validate_deposit_reference(self, field):
        if self.deposit_kind.data == "bank" and not field.data:
            raise ValidationError(_("Skriv numret på bankens insättningskvitto."))

    def validate_deposited_on(self, field):
        if field.day and self.counted_on.day and field.day < self.counted_on.day:
            raise ValidationError(_("Pengarna kan inte ha lämnats före räkningen."))

    @classmethod
    def fresh(cls) -> "CountForm":
        """An empty count with today's dates and its own key."""
        form = cls(formdata=None)
        form.counted_on.data = form.deposited_on.data = clock.today().isoformat()
        form.idempotency_key.data = new_key()
        return form
