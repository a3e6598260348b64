"""Staff-editable settings: the mission's Swish number, approved gift recipient, ...

Known keys (add yours here with a comment):
- "swish_number": the mission's Swish number, digits only
- "bankgiro_number": the mission's bankgiro number, digits only (shown as 123-4566)
- "cash_instructions": how to hand in cash, free text shown on the team pages
- "tax_reduction_approved": "1" when the mission is an approved recipient for the tax
  reduction on gifts (skattereduktion för gåvor)
"""

from . import audit
from .extensions import db
from .models.setting import Setting


def get(key: str, default: str = "") -> str:
    row = db.session.get(Setting, key)
    return row.value if row is not None else default


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
