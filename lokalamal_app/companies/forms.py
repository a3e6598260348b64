"""Forms for workplaces."""

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import strip_filter
from ..orgnr import OrgNumberError, format_org_number, parse_org_number
from . import services

HEADCOUNT_MAX = 1_000_000


class CompanyForm(FlaskForm):
    name = StringField(
        "Arbetsplatsens namn", filters=[strip_filter],
        validators=[DataRequired("Skriv arbetsplatsens namn."),
                    Length(max=120, message="Namnet får ha högst 120 tecken.")],
    )
    org_number = StringField(
        "Organisationsnummer (om ni vill)", filters=[strip_filter],
        description="Tio siffror, till exempel 556036-0793.",
        validators=[Optional(), Length(max=20, message="Organisationsnumret är för långt.")],
    )
    street = StringField(
        "Gatuadress", filters=[strip_filter],
        description="Vi använder adressen för att föreslå grannar vägg i vägg.",
        validators=[Length(max=120, message="Adressen får ha högst 120 tecken.")],
    )
    postcode = StringField(
        "Postnummer", filters=[strip_filter],
        validators=[Length(max=10, message="Postnumret ska ha fem siffror, till exempel 722 13.")],
    )
    city = StringField(
        "Ort", filters=[strip_filter], default="Västerås",
        validators=[DataRequired("Skriv orten."),
                    Length(max=80, message="Orten får ha högst 80 tecken.")],
    )
    headcount = StringField(
        "Antal anställda", filters=[strip_filter],
        description="Används för att jämföra insamlat per anställd på ett rättvist sätt.",
        validators=[DataRequired("Skriv hur många som jobbar på arbetsplatsen.")],
    )

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.existing = None  # a workplace with the same name, offered to join instead
        if company is not None and not self.is_submitted():
            self.org_number.data = format_org_number(company.org_number)

    def validate_name(self, field):
        other = services.company_by_name(field.data)
        if other is not None and (self.company is None or other.id != self.company.id):
            self.existing = other
            raise ValidationError("Det finns redan en arbetsplats med det namnet.")

    def validate_org_number(self, field):
        try:
            parse_org_number(field.data)
        except OrgNumberError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_postcode(self, field):
        if field.data and not re.fullmatch(r"\d{3} ?\d{2}", field.data):
            raise ValidationError("Postnumret ska ha fem siffror, till exempel 722 13.")

    def validate_headcount(self, field):
        text = field.data.replace(" ", "").replace("\u00a0", "")
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise ValidationError("Skriv antalet anställda som ett heltal, till exempel 25.")
        if not 1 <= int(text) <= HEADCOUNT_MAX:
            raise ValidationError("Antalet anställda ska vara mellan 1 och 1 000 000.")

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


class JoinRequestForm(FlaskForm):
    message = TextAreaField(
        "Hälsning till administratören (om du vill)", filters=[strip_filter],
        validators=[Length(max=300, message="Hälsningen får ha högst 300 tecken.")],
    )


class RoleForm(FlaskForm):
    role = SelectField(
        "Roll", choices=[SelectChoice("member", "Medlem"), SelectChoice("admin", "Administratör")],
        validators=[DataRequired("Välj en roll.")],
        invalid_choice_message="Välj medlem eller administratör.",
    )


class DecisionForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired()])

    def validate_decision(self, field):
        if field.data not in ("approve", "decline"):
            raise ValidationError("Välj godkänn eller avböj.")
