"""Privacy forms: deleting one's own account, staff anonymising a person."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth.forms import check_email, normalise_email
from ..extensions import db
from ..forms import Form, strip_filter
from ..models import User


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Ditt lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord för att bekräfta."))]
    )
    confirm = BooleanField(
        _l("Jag förstår att kontot inte går att få tillbaka"),
        validators=[DataRequired(_l("Kryssa i rutan för att bekräfta."))],
    )


class StaffAnonymiseForm(Form):
    email = EmailField(
        _l("Personens e-postadress"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Skriv e-postadressen.")),
            Length(max=254, message=_l("Adressen är för lång.")),
            check_email,
        ],
    )
    reason = StringField(
        _l("Varför (till exempel ”begäran per mejl 3 mars”)"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Skriv kort varför, för loggen.")),
            Length(max=200, message=_l("Skriv högst %(max)s tecken.", max=200)),
        ],
    )
    confirm = BooleanField(
        _l("Jag har kontrollerat att begäran kommer från personen"),
        validators=[DataRequired(_l("Kryssa i rutan för att bekräfta."))],
    )

    def validate_email(self, field):
        """The address must belong to an account."""
        self.user = db.session.execute(
            db.select(User).where(User.email == normalise_email(field.data))
        ).scalar_one_or_none()
        if self.user is None:
            raise ValidationError(_("Det finns inget konto med den adressen."))
