"""Images for sharing: link-card previews, page QR codes and a team's Swish QR."""

from flask import Response, abort, make_response, request, url_for
from flask_babel import gettext as _

from .. import qr, settings, swish
from ..assets import YEAR
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


def qr_response(parts: tuple[str, ...], draw, mimetype: str, filename: str | None = None,
                max_age: int = 300) -> Response:
    """A QR image with an ETag from what it is drawn from (a repeat visit gets 304 without
    drawing it again), kept a year when the address carries its content key (`k`)."""
    etag = qr.key(*parts)
    cache = YEAR if request.args.get("k") == etag else f"public, max-age={max_age}"
    # The compression step sends a compressed copy's tag as "<key>:gzip" (or ":br").
    seen = next((tag for tag in request.if_none_match if tag.split(":")[0] == etag), None)
    if seen is not None:
        response = Response(status=304)
        response.set_etag(seen)
    else:
        response = _image(draw(), mimetype, filename)
        response.set_etag(etag)
    response.headers["Cache-Control"] = cache
    return response


def _page_path(path: str) -> str:
    """The page a QR code points at: a path on this site only, never another address."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 300:
        abort(404)
    return path


def _share_png_parts(path: str) -> tuple[str, ...]:
    url = absolute(path)
    return ("share.png", url, url.split("://", 1)[-1], _("Skanna och var med!"))


@bp.get("/share/qr.svg")
def qr_svg():
    """A QR code (SVG) for a page of this site: /share/qr.svg?path=/goals/ingen-ensamhet."""
    url = absolute(_page_path(request.args.get("path", "/")))
    return qr_response(("share.svg", url), lambda: qr.svg(url), "image/svg+xml", max_age=3600)


@bp.get("/share/qr.png")
def qr_png():
    """The same QR code as a print-size PNG, downloaded."""
    path = _page_path(request.args.get("path", "/"))
    parts = _share_png_parts(path)
    _kind, url, caption, title = parts
    name = "qr-" + (path.strip("/").replace("/", "-") or "start")
    return qr_response(parts, lambda: qr.png(url, caption=caption, title=title), "image/png",
                       filename=f"{name[:60]}.png", max_age=3600)


def share_qr_urls(path: str) -> dict:
    """The addresses of a page's QR code (SVG) and its print PNG, with their content keys."""
    return {
        "svg": url_for("sharing.qr_svg", path=path, k=qr.key("share.svg", absolute(path))),
        "png": url_for("sharing.qr_png", path=path, k=qr.key(*_share_png_parts(path))),
    }


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
    payload = swish.team_payload(number, team)
    return qr_response(("swish", payload), lambda: qr.svg(payload), "image/svg+xml")


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
        "qr_url": url_for("sharing.team_swish_svg", team_id=team.id,
                          k=qr.key("swish", swish.team_payload(number, team))),
    }


def payment_for(team) -> dict | None:
    """The team's payment reference with the bankgiro and cash ways to give, or None when
    staff set neither."""
    values = settings.get_many("bankgiro_number", "cash_instructions", "cash_instructions_en")
    bankgiro, cash = values["bankgiro_number"], settings.cash_instructions(values)
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
            "share_preview_url": preview_url, "share_qr_urls": share_qr_urls}
