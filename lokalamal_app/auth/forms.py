"""Account forms."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..extensions import db
from ..forms import Form, strip_filter
from ..models import User
from .passwords import CHECK_MAX_LENGTH, password_problem

NAME_MAX = 80


def normalise_email(value: str) -> str:
    return (value or "").strip().casefold()


def check_email(form, field):
    try:
        validate_email(field.data or "", check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(_("Skriv en giltig e-postadress, till exempel namn@foretag.se.")) from exc


def _not_too_long() -> Length:
    """A password given to be checked is refused, unhashed, beyond any accepted length."""
    return Length(max=CHECK_MAX_LENGTH,
                  message=_l("Lösenordet får ha högst %(max)s tecken.", max=CHECK_MAX_LENGTH))


def check_new_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class RegisterForm(Form):
    display_name = StringField(
        _l("Namn som visas"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Skriv ditt namn.")),
            Length(max=NAME_MAX, message=_l("Namnet får ha högst %(max)s tecken.", max=NAME_MAX)),
        ],
    )
    email = EmailField(
        _l("E-post"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Skriv din e-postadress.")), Length(max=254), check_email],
    )
    password = PasswordField(
        _l("Lösenord"),
        description=_l(
            "Minst 8 tecken. En mening eller några ord är lätt att minnas och svår att gissa."
        ),
        validators=[DataRequired(_l("Välj ett lösenord.")), check_new_password],
    )

    def validate_email(self, field):
        exists = db.session.execute(
            db.select(User.id).where(User.email == normalise_email(field.data))
        ).first()
        if exists:
            raise ValidationError(
                _("Det finns redan ett konto med den e-postadressen. "
                  "Logga in eller återställ lösenordet.")
            )


class LoginForm(Form):
    email = EmailField(
        _l("E-post"), filters=[strip_filter], validators=[DataRequired(_l("Skriv din e-postadress."))]
    )
    password = PasswordField(
        _l("Lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord.")), _not_too_long()]
    )
    remember = BooleanField(_l("Kom ihåg mig på den här enheten"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Nuvarande lösenord"),
        validators=[DataRequired(_l("Skriv ditt nuvarande lösenord.")), _not_too_long()],
    )
    new_password = PasswordField(
        _l("Nytt lösenord"),
        description=_l("Minst 8 tecken."),
        validators=[DataRequired(_l("Välj ett nytt lösenord.")), check_new_password],
    )


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("E-post"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Skriv din e-postadress.")), Length(max=254), check_email],
    )


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("Nytt lösenord"),
        description=_l("Minst 8 tecken."),
        validators=[DataRequired(_l("Välj ett nytt lösenord.")), check_new_password],
    )
