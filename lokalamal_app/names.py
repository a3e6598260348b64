"""Whose name a viewer sees, and who sees the details of a team's collections.

The one place for the rule, used by every template and query that shows people:

- A person's name is seen by their colleagues (anyone in a workplace the person is in), by
  the mission's staff and by the person. Everyone else (visitors, people of other
  workplaces) sees "En medarbetare", unless the person chose "Visa mitt namn för alla" on
  Min sida (`User.show_name`).
- Who reported a collection, its note and why it was rejected are seen by the team's
  members, the workplace's admins and staff, and the person who reported it.

Team and workplace names are public.
"""

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user

from .extensions import db
from .models import Membership, TeamMember

_CACHE_KEY = "lokalamal.names"


def anonymous_name() -> str:
    """What the public sees instead of a name."""
    return _("En medarbetare")


def _signed_in(viewer) -> bool:
    return bool(getattr(viewer, "is_authenticated", False))


def _cached(key: tuple, compute):
    """`compute()` once per request (pages ask the same question for every row)."""
    if not has_request_context():
        return compute()
    cache = request.environ.setdefault(_CACHE_KEY, {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _workplaces_of(user_id: int) -> frozenset[int]:
    """The ids of the workplaces a person belongs to."""
    return _cached(("workplaces", user_id), lambda: frozenset(db.session.execute(
        db.select(Membership.company_id).where(Membership.user_id == user_id)
    ).scalars()))


def _teams_of(user_id: int) -> frozenset[int]:
    """The ids of the teams a person is in."""
    return _cached(("teams", user_id), lambda: frozenset(db.session.execute(
        db.select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    ).scalars()))


def may_see_people(viewer, company_id: int) -> bool:
    """Whether the viewer sees the names of a workplace's people: its members and staff."""
    if not _signed_in(viewer):
        return False
    return bool(viewer.is_staff) or company_id in _workplaces_of(viewer.id)


def display_name_for(viewer, person, company_id: int | None = None) -> str:
    """The person's name as the viewer may see it, else "En medarbetare".

    `company_id` is the workplace the person is shown in (a team's page, an entry of a
    team); without it, any workplace the two share makes them colleagues.
    """
    if person is None:
        return anonymous_name()
    if person.show_name:
        return person.display_name
    if not _signed_in(viewer):
        return anonymous_name()
    if viewer.is_staff or viewer.id == person.id:
        return person.display_name
    workplaces = {company_id} if company_id is not None else _workplaces_of(person.id)
    if any(may_see_people(viewer, c) for c in workplaces):
        return person.display_name
    return anonymous_name()


def may_see_team_details(viewer, team) -> bool:
    """Who reported, notes and rejection reasons of a team's collections: the team's
    members, the workplace's admins and staff."""
    if not _signed_in(viewer):
        return False
    if viewer.is_staff or team.id in _teams_of(viewer.id):
        return True
    return _cached(("admin", viewer.id, team.company_id), lambda: db.session.execute(
        db.select(Membership.id).where(Membership.user_id == viewer.id,
                                       Membership.company_id == team.company_id,
                                       Membership.role == "admin")
    ).first() is not None)


def may_see_entry_details(viewer, entry) -> bool:
    """Who reported one collection, its note and reason: as for its team, and the person
    who reported it or gave it."""
    if _signed_in(viewer) and viewer.id in (entry.logged_by_id, entry.giver_id):
        return True
    return may_see_team_details(viewer, entry.team)


def init_app(app) -> None:
    """Make the rule available to templates for the signed-in viewer."""
    @app.template_filter("person_name")
    def person_name(person, company_id: int | None = None) -> str:
        return display_name_for(current_user, person, company_id)

    app.jinja_env.globals.update(
        may_see_team_details=lambda team: may_see_team_details(current_user, team),
        may_see_entry_details=lambda entry: may_see_entry_details(current_user, entry),
        anonymous_name=anonymous_name,
    )
