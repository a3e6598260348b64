"""QR codes from the `qrcode` package: SVG for pages, PNG at print size for posters."""

import functools
import hashlib
import io

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont

# Bump when the images' drawing changes: every QR address with a content key changes too.
RENDER_VERSION = "1"


def key(*parts: str) -> str:
    """A short hash of everything a QR image is drawn from: the image's address carries it,
    so the address changes whenever the image would, and browsers may keep it for a year."""
    return hashlib.sha256("\x1f".join((RENDER_VERSION, *parts)).encode()).hexdigest()[:16]


# Pages draw the same few codes over and over (a challenge's, an invite's): drawn once each.
@functools.lru_cache(maxsize=512)
def svg(data: str) -> str:
    """An inline-safe SVG (path based, scales with CSS) that encodes `data`."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    text = image.to_string(encoding="unicode")
    # Drop the XML declaration so the SVG can sit inside HTML.
    return text.split("?>", 1)[1].strip() if text.startswith("<?xml") else text


def png(data: str, caption: str | None = None, title: str | None = None, size: int = 1200) -> bytes:
    """A print-size PNG (about A5 at 150 dpi): optional title above, the link written under."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    qr_image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    qr_image = qr_image.resize((size, size), Image.NEAREST)
    font = _font(size // 22)
    small = _font(size // 34)
    top = size // 8 if title else size // 20
    bottom = size // 6 if caption else size // 20
    canvas = Image.new("RGB", (size + size // 10, size + top + bottom), "white")
    draw = ImageDraw.Draw(canvas)
    canvas.paste(qr_image, (size // 20, top))
    if title:
        _centered(draw, canvas.width, top // 3, title, font)
    if caption:
        _centered(draw, canvas.width, top + size + bottom // 4, caption, small)
    out = io.BytesIO()
    canvas.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()


def _font(px: int):
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, px)
        except OSError:
            continue
    return ImageFont.load_default(size=px)


def _centered(draw, width: int, y: int, text: str, font) -> None:
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) // 2, y), text, fill="black", font=font)
