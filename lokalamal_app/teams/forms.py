"""Forms for colleague teams."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..extensions import db
from ..forms import Form, KronorField, strip_filter
from ..models import Goal
from . import looks, services

TARGET_MAX_ORE = 10_000_000 * 100


def goal_choices() -> list[SelectChoice]:
    goals = db.session.execute(db.select(Goal).order_by(Goal.number)).scalars()
    return [SelectChoice(g.id, f"#{g.number} {g.title}") for g in goals]


class TeamForm(Form):
    name = StringField(
        _l("Lagets namn"), filters=[strip_filter],
        validators=[DataRequired(_l("Skriv lagets namn.")),
                    Length(max=80, message=_l("Namnet får ha högst 80 tecken."))],
    )
    goal = SelectField(
        _l("Vilket mål samlar ni till?"), coerce=int,
        validators=[InputRequired(_l("Välj ett av de fem målen."))],
        invalid_value_message=_l("Välj ett av de fem målen."),
        invalid_choice_message=_l("Välj ett av de fem målen."),
    )
    target = KronorField(
        _l("Insamlingsmål i kronor (om ni vill)"),
        description=_l("Till exempel 10 000. Lämna tomt om ni inte vill ha ett mål."),
    )
    pitch = TextAreaField(
        _l("Kort presentation (om ni vill)"), filters=[strip_filter],
        description=_l("En eller två meningar om varför ni samlar."),
        validators=[Length(max=280, message=_l("Presentationen får ha högst 280 tecken."))],
    )

    def __init__(self, *args, company=None, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.team = team
        self.goal.choices = goal_choices()
        if team is not None and not self.is_submitted():
            from ..money import ore_to_input

            self.target.data = ore_to_input(team.target_ore)

    def validate_name(self, field):
        if services.name_taken(self.company, field.data, except_team=self.team):
            raise ValidationError(_("Det finns redan ett lag med det namnet på arbetsplatsen."))

    def validate_target(self, field):
        if field.ore is None:
            return
        if field.ore <= 0:
            raise ValidationError(_("Insamlingsmålet måste vara mer än 0 kr."))
        if field.ore > TARGET_MAX_ORE:
            raise ValidationError(_("Insamlingsmålet kan vara högst 10 000 000 kr."))

    def values(self) -> dict:
        return {"name": self.name.data, "goal_id": self.goal.data, "target_ore": self.target.ore,
                "pitch": self.pitch.data or ""}


class CaptainForm(Form):
    user_id = SelectField(
        _l("Ny lagkapten"), coerce=int, validators=[InputRequired(_l("Välj en lagkamrat."))],
        invalid_value_message=_l("Välj en lagkamrat."),
        invalid_choice_message=_l("Välj en lagkamrat."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [SelectChoice(u.id, u.display_name) for u in members]


class LookForm(Form):
    colour = RadioField(
        _l("Lagets färg"), validators=[InputRequired(_l("Välj en av färgerna."))],
        invalid_choice_message=_l("Välj en av färgerna."),
    )
    emblem = RadioField(
        _l("Lagets symbol"), validators=[InputRequired(_l("Välj en av symbolerna."))],
        invalid_choice_message=_l("Välj en av symbolerna."),
    )

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.colour.choices = [(key, name) for key, (_hex, name) in looks.COLOURS.items()]
        self.emblem.choices = [(key, f"{symbol} {name}")
                               for key, (symbol, name) in looks.EMBLEMS.items()]
        if team is not None and not self.is_submitted():
            current = looks.team_look(team)
            self.colour.data, self.emblem.data = current.colour, current.emblem
