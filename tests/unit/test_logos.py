"""Logo uploads: PNG, JPEG or SVG by content, size-limited, SVG cleaned."""

import io

import pytest
from PIL import Image

from lokalamal_app.partners import logos


def _image(fmt: str, size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format=fmt)
    return out.getvalue()


def test_png_and_jpeg_pass_with_their_type():
    assert logos.check(_image("PNG"))[1] == "image/png"
    assert logos.check(_image("JPEG"))[1] == "image/jpeg"


def test_a_gif_is_refused_whatever_its_name():
    with pytest.raises(logos.LogoError, match="PNG-, JPEG- eller SVG"):
        logos.check(_image("GIF"))


def test_html_is_refused():
    with pytest.raises(logos.LogoError):
        logos.check(b"<html><script>alert(1)</script></html>")


def test_a_truncated_png_is_refused():
    with pytest.raises(logos.LogoError, match="skadad"):
        logos.check(_image("PNG")[:40])


def test_too_large_a_file_is_refused():
    with pytest.raises(logos.LogoError, match="högst 512 kB"):
        logos.check(b"\x89PNG\r\n\x1a\n" + b"0" * logos.MAX_BYTES)


def test_too_many_pixels_are_refused():
    with pytest.raises(logos.LogoError, match="för stor"):
        logos.check(_image("PNG", size=(5000, 4000)))


def test_svg_loses_scripts_handlers_and_external_references():
    dirty = b"""<?xml version="1.0"?>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
         viewBox="0 0 10 10" onload="alert(1)">
      <script>alert(2)</script>
      <foreignObject><body xmlns="http://www.w3.org/1999/xhtml">x</body></foreignObject>
      <a href="javascript:alert(3)"><rect width="5" height="5" onclick="alert(4)"/></a>
      <use xlink:href="https://evil.example/x.svg#a"/>
      <rect width="10" height="10" fill="url(https://evil.example/p)"/>
      <circle cx="5" cy="5" r="4" fill="#7a1f3d"/>
    </svg>"""
    clean, kind = logos.check(dirty)
    assert kind == "image/svg+xml"
    text = clean.decode()
    for bad in ("script", "onload", "onclick", "javascript", "foreignObject", "evil.example"):
        assert bad not in text
    assert "<circle" in text and 'fill="#7a1f3d"' in text


def test_svg_with_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(logos.LogoError, match="DOCTYPE"):
        logos.check(bomb)


def test_broken_svg_is_refused():
    with pytest.raises(logos.LogoError, match="XML"):
        logos.check(b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>")
