"""The mission's side: overview, staff rights, goal content, partners, inquiries, Swish.

Every route here is for staff only (the blueprint checks before any view runs), and
every write is audited.
"""

from flask import Blueprint, abort
from flask_login import current_user

from ..permissions import is_staff

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def _staff_only():
    """Non-staff (and visitors) get the same plain 403: no hint of what is here."""
    if not is_staff(current_user):
        abort(403)


from . import routes  # noqa: E402,F401
