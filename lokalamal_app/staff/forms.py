"""Staff forms, one per action."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from .. import swish
from ..extensions import db
from ..forms import Form, KronorField, strip_filter
from ..goals.queries import UN_GOALS
from ..inputs import small_int
from ..models.mission import PARTNER_LEVELS
from ..partners.forms import PartnerChoices
from ..reconciliation import references


class GrantStaffForm(Form):
    email = EmailField(_l("E-postadress"), filters=[strip_filter],
                       validators=[InputRequired(_l("Skriv e-postadressen till kontot.")),
                                   Length(max=254, message=_l("E-postadressen är för lång."))])

    def validate_email(self, field):
        from ..auth.services import find_by_email

        user = find_by_email(field.data)
        if user is None:
            raise ValidationError(_("Det finns inget konto med den adressen. Personen behöver skapa ett konto först."))
        if user.is_staff:
            raise ValidationError(_("Kontot har redan personalbehörighet."))
        self.user = user


class GoalForm(Form):
    title = StringField(_l("Rubrik"), filters=[strip_filter],
                        validators=[InputRequired(_l("Målet behöver en rubrik.")),
                                    Length(max=120, message=_l("Rubriken får vara högst 120 tecken."))])
    summary = TextAreaField(_l("Kort sammanfattning"), filters=[strip_filter],
                            validators=[Length(max=500, message=_l("Sammanfattningen får vara högst 500 tecken."))])
    body = TextAreaField(_l("Text"), filters=[strip_filter],
                         description=_l("Tom rad mellan styckena."),
                         validators=[Length(max=10000, message=_l("Texten får vara högst 10 000 tecken."))])
    # English beside each Swedish text; left empty, English visitors read the Swedish.
    title_en = StringField(_l("Rubrik på engelska"), filters=[strip_filter],
                           description=_l("Frivilligt. Utan engelsk text visas den svenska."),
                           validators=[Length(max=120, message=_l("Rubriken får vara högst 120 tecken."))])
    summary_en = TextAreaField(_l("Kort sammanfattning på engelska"), filters=[strip_filter],
                               validators=[Length(max=500, message=_l("Sammanfattningen får vara högst 500 tecken."))])
    body_en = TextAreaField(_l("Text på engelska"), filters=[strip_filter],
                            description=_l("Tom rad mellan styckena."),
                            validators=[Length(max=10000, message=_l("Texten får vara högst 10 000 tecken."))])
    un_goals = SelectMultipleField(
        _l("Globala mål"),
        choices=[SelectChoice(str(n), f"{n}. {title}") for n, title in UN_GOALS.items()],
        validators=[Optional()], validate_choice=False,
        # Only spaces is no choice (Optional stops the checks below for it).
        filters=[lambda values: [v for v in values or [] if v.strip()]],
    )

    def validate_un_goals(self, field):
        unknown = [n for n in field.data or [] if small_int(n) not in UN_GOALS]
        if unknown:
            raise ValidationError(_("Välj bland de globala målen i listan."))


class ImpactLineForm(Form):
    amount = KronorField(_l("Belopp"), validators=[InputRequired(_l("Skriv ett belopp."))])
    text = StringField(_l("Det här gör pengarna"), filters=[strip_filter],
                       description=_l("Till exempel ”en natt i värme för en person”."),
                       validators=[InputRequired(_l("Skriv vad beloppet gör.")),
                                   Length(max=200, message=_l("Högst 200 tecken."))])
    text_en = StringField(_l("Det här gör pengarna, på engelska"), filters=[strip_filter],
                          description=_l("Frivilligt. Utan engelsk text visas den svenska."),
                          validators=[Length(max=200, message=_l("Högst 200 tecken."))])
    position = IntegerField(_l("Ordning"), default=0,
                            validators=[Optional(), NumberRange(0, 999, _l("Skriv ett tal 0–999."))])

    def validate_amount(self, field):
        if field.ore is not None and field.ore <= 0:
            raise ValidationError(_("Beloppet måste vara större än noll."))


def _http_url(form, field):
    if field.data and not re.match(r"^https?://[^\s/$.?#][^\s]*$", field.data, re.I):
        raise ValidationError(_("Skriv en hel webbadress som börjar med https://."))


class PartnerForm(PartnerChoices, Form):
    goal = SelectField(_l("Mål"), validate_choice=False)
    name = StringField(_l("Namn"), filters=[strip_filter],
                       validators=[InputRequired(_l("Skriv partnerns namn.")),
                                   Length(max=120, message=_l("Namnet får vara högst 120 tecken."))])
    level = SelectField(_l("Nivå"), choices=[SelectChoice(k, v) for k, v in PARTNER_LEVELS.items()],
                        validate_choice=False)
    url = StringField(_l("Webbplats (frivilligt)"), filters=[strip_filter],
                      validators=[Length(max=300, message=_l("Adressen får vara högst 300 tecken.")),
                                  _http_url])
    position = IntegerField(_l("Ordning"), default=0,
                            validators=[Optional(), NumberRange(0, 999, _l("Skriv ett tal 0–999."))])
    logo = FileField(_l("Logotyp (PNG, JPEG eller SVG, högst 512 kB)"))
    remove_logo = BooleanField(_l("Ta bort nuvarande logotyp"))


class SettingsForm(Form):
    swish_number = StringField(_l("Stadsmissionens Swishnummer"), filters=[strip_filter],
                               description=_l("Lämna tomt för att inte visa Swish på lagsidorna."),
                               validators=[Length(max=30, message=_l("Swishnumret är för långt."))])
    bankgiro_number = StringField(
        _l("Stadsmissionens bankgironummer"), filters=[strip_filter],
        description=_l("Till exempel 123-4566. Lämna tomt för att inte visa bankgiro på lagsidorna."),
        validators=[Length(max=20, message=_l("Bankgironumret är för långt."))])
    cash_instructions = TextAreaField(
        _l("Så lämnar man kontanter"), filters=[strip_filter],
        description=_l("Visas på lagsidorna, till exempel var och när man lämnar en bössa."),
        validators=[Length(max=500, message=_l("Skriv högst 500 tecken."))])
    cash_instructions_en = TextAreaField(
        _l("Så lämnar man kontanter, på engelska"), filters=[strip_filter],
        description=_l("Frivilligt. Utan engelsk text visas den svenska."),
        validators=[Length(max=500, message=_l("Skriv högst 500 tecken."))])
    tax_reduction_approved = BooleanField(_l("Godkänd gåvomottagare (skattereduktion för gåvor)"))

    def validate_bankgiro_number(self, field):
        self.clean_bankgiro = ""
        if field.data:
            try:
                self.clean_bankgiro = references.clean_bankgiro(field.data)
            except references.BankgiroError as exc:
                raise ValidationError(str(exc)) from exc

    def validate_swish_number(self, field):
        if field.data:
            try:
                self.clean_number = swish.clean_number(field.data)
            except swish.SwishError as exc:
                raise ValidationError(str(exc)) from exc
        else:
            self.clean_number = ""


class ImportUploadForm(Form):
    report = FileField(_l("Swish- eller bankrapport (CSV)"))


class ImportConfirmForm(Form):
    content = HiddenField()


class BgMaxUploadForm(Form):
    report = FileField(_l("BgMax-fil från Bankgirot"))


class MatchPaymentForm(Form):
    """Which team a waiting bank payment is for: its payment reference (7054) or code."""

    team = StringField(_l("Lagets referens eller kod"), filters=[strip_filter],
                       validators=[DataRequired(_l("Skriv lagets referens, till exempel 7054.")),
                                   Length(max=30, message=_l("Referensen är för lång."))])

    def validate_team(self, field):
        from ..models import Team  # noqa: PLC0415

        team_id = references.team_id_for(field.data)
        team = None
        if team_id is not None and team_id < 2**31:
            team = db.session.get(Team, team_id)
        if team is None:
            team = db.session.execute(db.select(Team).where(
                db.func.upper(Team.reference) == field.data.upper())).scalar_one_or_none()
        if team is None:
            raise ValidationError(_("Inget lag har referensen %(ref)s.", ref=field.data))
        self.found_team = team


class RefusePaymentForm(Form):
    """Why a waiting bank payment is not for the campaign."""

    reason = StringField(_l("Varför hör betalningen inte hit?"), filters=[strip_filter],
                         validators=[DataRequired(_l("Skriv en kort anledning.")),
                                     Length(max=500, message=_l("Högst 500 tecken."))])


class _DateField(DateField):
    """A date field whose parse error is in the visitor's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Skriv datumet som ÅÅÅÅ-MM-DD.")) from exc


class CampaignForm(Form):
    """A new campaign: its name and dates (the service checks them against the others)."""

    name = StringField(_l("Namn"), filters=[strip_filter],
                       validators=[DataRequired(_l("Ge kampanjen ett namn.")),
                                   Length(max=80, message=_l("Namnet får vara högst 80 tecken."))])
    starts_on = _DateField(_l("Första dagen"),
                           validators=[InputRequired(_l("Ange kampanjens första dag."))])
    ends_on = _DateField(_l("Sista dagen (valfritt)"), validators=[Optional()],
                         description=_l("Lämna tomt så pågår kampanjen tills nästa börjar."))


class MergeForm(Form):
    """Which workplace a duplicate is merged into: its web name (slug) or org number."""

    target = StringField(
        _l("Slå ihop med (arbetsplatsens adressnamn eller organisationsnummer)"),
        filters=[strip_filter],
        validators=[InputRequired(_l("Skriv vilken arbetsplats dubbletten ska slås ihop med.")),
                    Length(max=140, message=_l("Det är för långt för att vara en arbetsplats."))],
    )
    confirm = BooleanField(
        _l("Jag har kontrollerat att det är samma arbetsplats. Sammanslagningen går inte att ångra."),
        validators=[InputRequired(_l("Bekräfta att det är samma arbetsplats."))],
    )

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.company = None

    def validate_target(self, field):
        from ..companies.queries import company_by_slug
        from ..companies.services import holder_of
        from ..orgnr import OrgNumberError, parse_org_number

        company = company_by_slug(field.data)
        if company is None:
            try:
                company = holder_of(parse_org_number(field.data))
            except OrgNumberError:
                company = None
        if company is None:
            raise ValidationError(_("Det finns ingen arbetsplats med det namnet eller numret."))
        if self.source is not None and company.id == self.source.id:
            raise ValidationError(_("Välj en annan arbetsplats än dubbletten själv."))
        self.company = company
