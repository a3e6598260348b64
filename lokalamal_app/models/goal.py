"""The mission's five local goals. Their texts are data that staff edit."""

from flask_babel import gettext as _
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..i18n_request import localized


class Goal(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # UN global goal numbers, comma separated ("3,16").
    un_goals: Mapped[str] = mapped_column(String(60), default="")
    # English versions staff write beside the Swedish; empty means "show the Swedish".
    title_en: Mapped[str] = mapped_column(String(120), default="", server_default="")
    summary_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_en: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def shown_title(self) -> str:
        """The title in the visitor's language (Swedish where no English is written)."""
        return localized(self.title, self.title_en)

    @property
    def shown_summary(self) -> str:
        return localized(self.summary, self.summary_en)

    @property
    def shown_body(self) -> str:
        return localized(self.body, self.body_en)

    @property
    def un_goal_numbers(self) -> list[int]:
        parts = (n.strip() for n in self.un_goals.split(","))
        return [int(n) for n in parts if n.isascii() and n.isdigit()]

    @property
    def label(self) -> str:
        return _("Lokalt mål #%(number)s", number=self.number)

    def __repr__(self) -> str:
        return f"<Goal {self.number} {self.slug}>"
