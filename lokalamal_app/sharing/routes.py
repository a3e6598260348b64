"""Images for sharing: link-card previews, page QR codes and a team's Swish QR."""

from flask import abort, make_response, request, url_for
from flask_babel import gettext as _

from .. import qr, settings, swish
from ..extensions import db
from ..models import Team
from ..reconciliation import references
from ..urls import absolute, external_url
from . import bp, previews


def _image(data, mimetype: str, filename: str | None = None, max_age: int = 300):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page_url() -> str:
    """The page a QR code points at: a path on this site only, never another address."""
    path = request.args.get("path", "/")
    if not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 300:
        abort(404)
    return absolute(path)


@bp.get("/share/qr.svg")
def qr_svg():
    """A QR code (SVG) for a page of this site: /share/qr.svg?path=/goals/ingen-ensamhet."""
    return _image(qr.svg(_page_url()), "image/svg+xml", max_age=3600)


@bp.get("/share/qr.png")
def qr_png():
    """The same QR code as a print-size PNG, downloaded."""
    url = _page_url()
    caption = url.split("://", 1)[-1]
    name = "qr-" + (request.args.get("path", "").strip("/").replace("/", "-") or "start")
    return _image(qr.png(url, caption=caption, title=_("Skanna och var med!")), "image/png",
                  filename=f"{name[:60]}.png", max_age=3600)


@bp.get("/share/preview/<kind>/<ident>.png")
def preview(kind: str, ident: str):
    """The link-card image (Open Graph / Twitter) for a goal, team, workplace, challenge."""
    card = previews.card(kind, ident)
    if card is None:
        abort(404)
    return _image(previews.render(card), "image/png")


@bp.get("/share/swish/<int:team_id>.svg")
def team_swish_svg(team_id: int):
    """The team's Swish QR: the mission's number and the team's reference prefilled."""
    team = db.session.get(Team, team_id)
    number = settings.get("swish_number")
    if team is None or not number:
        abort(404)
    return _image(qr.svg(swish.team_payload(number, team)), "image/svg+xml")


def swish_for(team) -> dict | None:
    """What the Swish partial shows for a team, or None when no Swish number is set."""
    number = settings.get("swish_number")
    if not number:
        return None
    message = swish.team_message(team)
    return {
        "number": number,
        "message": message,
        "reference": references.payment_reference(team.id),
        "link": swish.app_link(number, message),
        "qr_url": url_for("sharing.team_swish_svg", team_id=team.id),
    }


def payment_for(team) -> dict | None:
    """The team's payment reference with the bankgiro and cash ways to give, or None when
    staff set neither."""
    bankgiro = settings.get("bankgiro_number")
    cash = settings.get("cash_instructions")
    if not bankgiro and not cash:
        return None
    return {"reference": references.payment_reference(team.id),
            "bankgiro": references.format_bankgiro(bankgiro), "cash": cash}


def preview_url(kind: str, ident) -> str:
    """Absolute address of a page's link-card image (for og:image)."""
    return external_url("sharing.preview", kind=kind, ident=str(ident))


@bp.app_context_processor
def _helpers():
    return {"swish_for": swish_for, "payment_for": payment_for,
            "share_preview_url": preview_url}
