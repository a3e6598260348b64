"""Forms for workplaces."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import Form, strip_filter
from ..orgnr import OrgNumberError, format_org_number, parse_org_number
from . import services

HEADCOUNT_MAX = 1_000_000


class CompanyForm(Form):
    name = StringField(
        _l("Arbetsplatsens namn"), filters=[strip_filter],
        validators=[DataRequired(_l("Skriv arbetsplatsens namn.")),
                    Length(max=120, message=_l("Namnet får ha högst 120 tecken."))],
    )
    org_number = StringField(
        _l("Organisationsnummer (om ni vill)"), filters=[strip_filter],
        description=_l("Tio siffror, till exempel 556036-0793."),
        validators=[Optional(), Length(max=20, message=_l("Organisationsnumret är för långt."))],
    )
    street = StringField(
        _l("Gatuadress"), filters=[strip_filter],
        description=_l("Vi använder adressen för att föreslå grannar vägg i vägg."),
        validators=[Length(max=120, message=_l("Adressen får ha högst 120 tecken."))],
    )
    postcode = StringField(
        _l("Postnummer"), filters=[strip_filter],
        validators=[Length(max=10, message=_l("Postnumret ska ha fem siffror, till exempel 722 13."))],
    )
    city = StringField(
        _l("Ort"), filters=[strip_filter], default="Västerås",
        validators=[DataRequired(_l("Skriv orten.")),
                    Length(max=80, message=_l("Orten får ha högst 80 tecken."))],
    )
    headcount = StringField(
        _l("Antal anställda"), filters=[strip_filter],
        description=_l("Används för att jämföra insamlat per anställd på ett rättvist sätt."),
        validators=[DataRequired(_l("Skriv hur många som jobbar på arbetsplatsen."))],
    )

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.existing = None  # a workplace with the same name, offered to join instead
        if company is not None and not self.is_submitted():
            self.org_number.data = format_org_number(company.org_number
                                                     or company.claimed_org_number)

    def validate_name(self, field):
        other = services.company_by_name(field.data)
        if other is not None and (self.company is None or other.id != self.company.id):
            self.existing = other
            raise ValidationError(_("Det finns redan en arbetsplats med det namnet."))

    def validate_org_number(self, field):
        try:
            parse_org_number(field.data)
        except OrgNumberError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_postcode(self, field):
        if field.data and not re.fullmatch(r"\d{3} ?\d{2}", field.data):
            raise ValidationError(_("Postnumret ska ha fem siffror, till exempel 722 13."))

    def validate_headcount(self, field):
        text = field.data.replace(" ", "").replace("\u00a0", "")
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise ValidationError(_("Skriv antalet anställda som ett heltal, till exempel 25."))
        if not 1 <= int(text) <= HEADCOUNT_MAX:
            raise ValidationError(_("Antalet anställda ska vara mellan 1 och 1 000 000."))

    def values(self) -> dict:
        """The cleaned values for the service."""
        return {
            "name": self.name.data,
            "org_number": parse_org_number(self.org_number.data) if self.org_number.data else None,
            "street": self.street.data or "",
            "postcode": (self.postcode.data or "").replace(" ", ""),
            "city": self.city.data,
            "headcount": int(self.headcount.data.replace(" ", "").replace("\u00a0", "")),
        }


class JoinRequestForm(Form):
    message = TextAreaField(
        _l("Hälsning till administratören (om du vill)"), filters=[strip_filter],
        validators=[Length(max=300, message=_l("Hälsningen får ha högst 300 tecken."))],
    )


class RoleForm(Form):
    role = SelectField(
        _l("Roll"), choices=[SelectChoice("member", _l("Medlem")),
                             SelectChoice("admin", _l("Administratör"))],
        validators=[DataRequired(_l("Välj en roll."))],
        invalid_choice_message=_l("Välj medlem eller administratör."),
    )


class DecisionForm(Form):
    decision = HiddenField(validators=[DataRequired()])

    def validate_decision(self, field):
        if field.data not in ("approve", "decline"):
            raise ValidationError(_("Välj godkänn eller avböj."))
