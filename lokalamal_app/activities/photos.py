"""Activity photos: judged by content (Pillow), shrunk, re-encoded without metadata.

Only JPEG, PNG and WebP are taken, whatever the file is called. Every photo is decoded
and written anew as JPEG (or PNG when it has transparency), at most MAX_SIDE pixels on
its longer side, with no EXIF at all: a phone's GPS position never leaves the server.
Files live under ACTIVITY_PHOTO_DIR (default: the instance folder's `activity-photos`)
with random names, and are served only through activities.routes.photo, which checks
who may see the activity.
"""

import io
import os
import secrets
import warnings

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from sqlalchemy import event
from sqlalchemy.orm import Session

ACCEPTED = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # a 40 megapixel photo is still a photo; beyond is a bomb
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class PhotoError(ValueError):
    """The upload is not a photo we take; the message is Swedish, for the field."""


def max_bytes() -> int:
    """The largest photo upload, in bytes (ACTIVITY_PHOTO_MAX_BYTES)."""
    return int(current_app.config["ACTIVITY_PHOTO_MAX_BYTES"])


def folder() -> str:
    """Where photos are stored (created on first use)."""
    path = current_app.config.get("ACTIVITY_PHOTO_DIR") or os.path.join(
        current_app.instance_path, "activity-photos")
    os.makedirs(path, exist_ok=True)
    return path


def clean(data: bytes) -> tuple[bytes, str]:
    """The photo re-encoded without metadata, and its file extension; or PhotoError."""
    if not data:
        raise PhotoError(_("Filen är tom."))
    if len(data) > max_bytes():
        raise PhotoError(_("Bilden får vara högst %(mb)s MB.", mb=max_bytes() // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED:
                    raise PhotoError(_("Bilden måste vara en JPEG-, PNG- eller WebP-bild."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError(_("Bilden har för många bildpunkter."))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                return _encode(image)
    except PhotoError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoError(_("Bilden har för många bildpunkter.")) from exc
    except Image.UnidentifiedImageError as exc:
        raise PhotoError(_("Bilden måste vara en JPEG-, PNG- eller WebP-bild.")) from exc
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise PhotoError(_("Bildfilen är skadad och kan inte läsas.")) from exc


def _encode(image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    # A fresh save with no exif= writes no EXIF, no GPS and no comments.
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpg"


def store(data: bytes, extension: str) -> str:
    """Write a cleaned photo under a new random name; return the name."""
    name = f"{secrets.token_urlsafe(18)}.{extension}"
    with open(os.path.join(folder(), name), "xb") as handle:
        handle.write(data)
    return name


def path_of(name: str) -> str | None:
    """The stored file of a photo name, or None for a name that is not ours."""
    if not name or not set(name) <= _NAME_CHARS or name.startswith("."):
        return None
    path = os.path.join(folder(), name)
    return path if os.path.isfile(path) else None


def content_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"


_DOOMED = "activity_photos_to_remove"


def remove_after_commit(session: Session, name: str | None) -> None:
    """Delete the photo file once this transaction commits (kept if it rolls back)."""
    if name:
        session.info.setdefault(_DOOMED, []).append(name)


def _remove_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction itself has not committed yet
    for name in session.info.pop(_DOOMED, []):
        path = path_of(name)
        if path:
            try:
                os.remove(path)
            except OSError:
                current_app.logger.warning("Could not remove activity photo %s", name)


def _forget_doomed(session: Session) -> None:
    session.info.pop(_DOOMED, None)


def init_events() -> None:
    """Remove photos of deleted activities after commit (idempotent)."""
    if not event.contains(Session, "after_commit", _remove_committed):
        event.listen(Session, "after_commit", _remove_committed)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _forget_doomed(s))
