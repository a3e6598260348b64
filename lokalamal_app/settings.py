"""Staff-editable settings: the mission's Swish number, approved gift recipient, ...

Known keys (add yours here with a comment):
- "swish_number": the mission's Swish number, digits only
- "bankgiro_number": the mission's bankgiro number, digits only (shown as 123-4566)
- "cash_instructions": how to hand in cash, free text shown on the team pages
- "cash_instructions_en": the same in English, for English visitors (empty: the Swedish)
- "tax_reduction_approved": "1" when the mission is an approved recipient for the tax
  reduction on gifts (skattereduktion för gåvor)
"""

from . import audit
from .extensions import db
from .i18n_request import localized
from .models.setting import Setting


def get(key: str, default: str = "") -> str:
    row = db.session.get(Setting, key)
    return row.value if row is not None else default


def get_many(*keys: str) -> dict[str, str]:
    """Several settings in one query; a key never set reads as ""."""
    rows = db.session.execute(db.select(Setting).where(Setting.key.in_(keys))).scalars()
    found = {row.key: row.value for row in rows}
    return {key: found.get(key, "") for key in keys}


def cash_instructions(values: dict[str, str] | None = None) -> str:
    """How to hand in cash, in the visitor's language (the Swedish where no English is
    written); `values` from get_many saves the query."""
    if values is None:
        values = get_many("cash_instructions", "cash_instructions_en")
    return localized(values["cash_instructions"], values["cash_instructions_en"])


def get_bool(key: str) -> bool:
    return get(key) == "1"


def put(key: str, value: str, actor=None) -> None:
    """Change a setting, with an audit event. Flushes, the caller commits."""
    row = db.session.get(Setting, key)
    before = row.value if row is not None else None
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    else:
        row.value = value
    audit.record("setting.change", "setting", None, actor=actor,
                 before={"key": key, "value": before}, after={"key": key, "value": value})
    db.session.flush()
