"""The public "Bli partner" form."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from ..forms import Form, strip_filter
from ..models.mission import PARTNER_LEVELS


class PartnerChoices:
    """The goal and level checks of a form about a partnership (the inquiry here, the
    staff's partner form): the goal one of the choices offered, the level a known one."""

    def validate_goal(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(_("Välj ett av målen i listan."))

    def validate_level(self, field):
        if field.data not in PARTNER_LEVELS:
            raise ValidationError(_("Välj huvudpartner eller partner."))


class InquiryForm(PartnerChoices, Form):
    company_name = StringField(
        _l("Företag"), filters=[strip_filter],
        validators=[InputRequired(_l("Skriv företagets namn.")),
                    Length(max=120, message=_l("Företagsnamnet får vara högst 120 tecken."))],
    )
    contact_name = StringField(
        _l("Kontaktperson"), filters=[strip_filter],
        validators=[InputRequired(_l("Skriv vem vi ska kontakta.")),
                    Length(max=80, message=_l("Namnet får vara högst 80 tecken."))],
    )
    email = EmailField(
        _l("E-post"), filters=[strip_filter],
        validators=[InputRequired(_l("Skriv en e-postadress.")),
                    Length(max=254, message=_l("E-postadressen är för lång.")),
                    Email(_l("Det ser inte ut som en e-postadress, till exempel namn@foretag.se."))],
    )
    phone = StringField(
        _l("Telefon (frivilligt)"), filters=[strip_filter],
        validators=[Optional(), Length(max=30, message=_l("Telefonnumret får vara högst 30 tecken.")),
                    Regexp(r"^[0-9 +()\-]+$", message=_l("Telefonnumret får bara ha siffror, mellanslag, + och bindestreck."))],
    )
    goal = SelectField(_l("Vilket mål vill ni stödja?"), coerce=str, validate_choice=False)
    level = SelectField(
        _l("Nivå"), choices=[SelectChoice(key, label) for key, label in PARTNER_LEVELS.items()],
        validate_choice=False,
    )
    message = TextAreaField(
        _l("Meddelande (frivilligt)"), filters=[strip_filter],
        validators=[Length(max=2000, message=_l("Meddelandet får vara högst 2 000 tecken."))],
    )
    # A honeypot: hidden from people, filled in by robots.
    website = StringField(_l("Lämna det här fältet tomt"))

    def set_goal_choices(self, goals) -> None:
        self.goal.choices = [SelectChoice("", _("Vet inte än"))] + [
            SelectChoice(str(g.id), f"#{g.number} {g.title}") for g in goals
        ]
