from lokalamal_app import qr


def test_svg_is_inline_html_ready():
    svg = qr.svg("https://lokalamal.se/join/abc")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<path" in svg


def test_print_png_is_large_and_a_real_png():
    data = qr.png("https://lokalamal.se/join/abc", caption="lokalamal.se/join/abc",
                  title="Skanna och gå med i vårt lag")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(data))
    assert image.width >= 1200 and image.height > image.width
