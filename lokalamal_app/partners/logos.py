"""Checking uploaded partner logos: PNG, JPEG or SVG, judged by content, never by name.

Raster images must open and verify in Pillow. SVG is parsed as XML and rebuilt from an
allow-list of drawing elements and attributes, so scripts, event handlers, external
references and embedded HTML never survive. Logos are served with a Content-Type of their
own kind, `nosniff` and a CSP sandbox (see partners.routes.logo), never as HTML.
"""

import io
import re
import warnings
import xml.etree.ElementTree as ET

from flask_babel import gettext as _
from PIL import Image

MAX_BYTES = 512 * 1024
MAX_PIXELS = 4000 * 4000

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "clippath",
    "mask", "use", "symbol",
}
_ATTRIBUTES = {
    "id", "class", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
    "height", "viewbox", "points", "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke",
    "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity",
    "stroke-dasharray", "opacity", "transform", "offset", "stop-color", "stop-opacity",
    "gradientunits", "gradienttransform", "preserveaspectratio", "font-family", "font-size",
    "font-weight", "text-anchor", "letter-spacing", "clip-path", "mask", "version", "href",
    "fx", "fy", "spreadmethod", "dominant-baseline",
}
# A reference inside the document only: fill="url(#a)", href="#a".
_EXTERNAL = re.compile(r"url\(\s*['\"]?\s*[^#'\"\s]", re.I)


class LogoError(ValueError):
    """The upload is not a logo we accept; the message is Swedish."""


def check(data: bytes) -> tuple[bytes, str]:
    """Return (bytes to store, content type) or raise LogoError."""
    if not data:
        raise LogoError(_("Filen är tom."))
    if len(data) > MAX_BYTES:
        raise LogoError(_("Logotypen får vara högst %(kb)s kB.", kb=MAX_BYTES // 1024))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _raster(data, "PNG"), "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return _raster(data, "JPEG"), "image/jpeg"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        return sanitize_svg(data), "image/svg+xml"
    raise LogoError(_("Logotypen måste vara en PNG-, JPEG- eller SVG-bild."))


def _raster(data: bytes, expected: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise LogoError(_("Bildfilen är skadad eller av fel sort."))
                if image.width * image.height > MAX_PIXELS:
                    raise LogoError(_("Bilden är för stor; högst 4000 × 4000 bildpunkter."))
                image.verify()
    except LogoError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise LogoError(_("Bilden är för stor; högst 4000 × 4000 bildpunkter.")) from exc
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise LogoError(_("Bildfilen är skadad och kan inte läsas.")) from exc
    return data


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _sep, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def sanitize_svg(data: bytes) -> bytes:
    """Rebuild the SVG from allowed elements and attributes only."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise LogoError(_("SVG-filen innehåller en DOCTYPE eller entiteter, som inte tillåts."))
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise LogoError(_("SVG-filen är inte giltig XML.")) from exc
    ns, name = _local(root.tag)
    if name != "svg" or ns not in ("", SVG_NS):
        raise LogoError(_("Filen är ingen SVG-bild."))
    clean = _copy(root)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(clean, encoding="utf-8", xml_declaration=False)


def _copy(element: ET.Element) -> ET.Element:
    _ns, name = _local(element.tag)
    out = ET.Element(f"{{{SVG_NS}}}{name}")
    for key, value in element.attrib.items():
        ns, attr = _local(key)
        attr_l = attr.lower()
        if ns not in ("", XLINK_NS) or attr_l not in _ATTRIBUTES:
            continue
        if attr_l == "href" and not value.strip().startswith("#"):
            continue
        if _EXTERNAL.search(value) or "javascript:" in value.lower():
            continue
        out.set("href" if attr_l == "href" else attr, value)
    if name.lower() in ("text", "tspan", "title", "desc"):
        out.text = element.text
    for child in element:
        ns, child_name = _local(child.tag)
        if ns in ("", SVG_NS) and child_name.lower() in _ELEMENTS:
            copied = _copy(child)
            copied.tail = None
            out.append(copied)
    return out
