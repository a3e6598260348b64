"""Compressed answers, static files under content-hashed names, QR images kept by content."""

import gzip
import hashlib
import re
from pathlib import Path

import brotli

from lokalamal_app import settings
from tests import factories

STATIC = Path(__file__).resolve().parents[2] / "static"
YEAR = "public, max-age=31536000, immutable"


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def _same_page(unpacked: bytes, plain: bytes) -> bool:
    """The same page, if not byte for byte: a board's "updated at" time may differ between
    two answers a second apart."""
    text = unpacked.decode()
    return (text.startswith("<!doctype html>") and "Lokala mål" in text
            and abs(len(unpacked) - len(plain)) < 200)


def test_a_page_goes_out_gzipped_to_a_browser_that_takes_gzip(client):
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data)
    assert _same_page(gzip.decompress(packed.data), plain.data)


def test_brotli_is_preferred_when_the_browser_takes_both(client):
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert _same_page(brotli.decompress(packed.data), plain.data)


def test_a_browser_that_asks_for_no_compression_gets_the_page_plain(client):
    response = client.get("/")
    assert "Content-Encoding" not in response.headers
    assert "Lokala mål" in response.get_data(as_text=True)
    assert "Accept-Encoding" in response.headers["Vary"]


def test_tiny_answers_and_empty_polls_are_not_compressed(client):
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert health.data == b"ok" and "Content-Encoding" not in health.headers
    version = client.get("/api/leaderboards/companies?limit=1").get_json()["version"]
    poll = client.get(f"/leaderboards/teams?fragment=1&v={version}",
                      headers={"Accept-Encoding": "gzip", "HX-Request": "true"})
    assert poll.status_code == 204 and "Content-Encoding" not in poll.headers


def test_a_streamed_csv_export_is_not_compressed(login, app_ctx):
    staff = factories.make_user(is_staff=True)
    factories.make_collection(factories.make_team(factories.make_company()))
    factories.commit()
    response = login(staff).get("/staff/export/collections.csv", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).lstrip("\ufeff").strip()


def test_pages_link_styles_and_scripts_under_content_hashed_names(client):
    html = client.get("/").get_data(as_text=True)
    urls = _asset_urls(html)
    css = next(u for u in urls if u.startswith("/static/css/app."))
    digest = hashlib.sha256((STATIC / "css/app.css").read_bytes()).hexdigest()[:12]
    assert css == f"/static/css/app.{digest}.css"
    assert any(re.fullmatch(r"/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js", u) for u in urls)
    assert not any(u.endswith(("/app.css", "/app.js", "/htmx.min.js")) for u in urls)


def test_a_hashed_static_file_is_the_file_kept_for_a_year(client):
    for url in _asset_urls(client.get("/").get_data(as_text=True)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == YEAR
        plain = re.sub(r"\.[0-9a-f]{12}(\.[a-z]+)$", r"\1", url)
        assert response.data == (STATIC / plain.removeprefix("/static/")).read_bytes()


def test_the_vendored_htmx_is_served_unmodified_under_its_hashed_name(client):
    html = client.get("/").get_data(as_text=True)
    url = next(u for u in _asset_urls(html) if "htmx" in u)
    served = client.get(url).data
    expected = (STATIC / "vendor/htmx/SHA256SUMS").read_text().split()[0]
    assert hashlib.sha256(served).hexdigest() == expected


def test_the_plain_static_name_still_works_with_a_short_cache(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.data == (STATIC / "css/app.css").read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_an_old_hash_gets_todays_file_briefly_cached_and_a_missing_file_404(client):
    response = client.get("/static/css/app.000000000000.css")
    assert response.status_code == 200
    assert response.data == (STATIC / "css/app.css").read_bytes()
    assert "immutable" not in response.headers["Cache-Control"]
    assert client.get("/static/css/nothing.000000000000.css").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


def test_a_hashed_stylesheet_goes_out_compressed_and_answers_304_when_unchanged(client):
    html = client.get("/").get_data(as_text=True)
    url = next(u for u in _asset_urls(html) if "/css/app." in u)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == (STATIC / "css/app.css").read_bytes()
    again = client.get(url, headers={"Accept-Encoding": "gzip",
                                     "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_a_logged_in_visitor_keeps_hashed_files_cached_too(login, app_ctx):
    me = factories.make_user()
    factories.commit()
    client = login(me)
    url = next(u for u in _asset_urls(client.get("/").get_data(as_text=True)) if "/js/app." in u)
    assert client.get(url).headers["Cache-Control"] == YEAR


def test_a_page_qr_code_is_kept_a_year_under_its_content_keyed_address(client, app_ctx):
    team = factories.make_team(factories.make_company())
    factories.commit()
    html = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    svg_url = re.search(r'src="(/share/qr\.svg\?[^"]+)"', html).group(1).replace("&amp;", "&")
    png_url = re.search(r'href="(/share/qr\.png\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "k=" in svg_url and "k=" in png_url
    first = client.get(svg_url)
    assert first.status_code == 200 and first.data.startswith(b"<svg")
    assert first.headers["Cache-Control"] == YEAR
    assert client.get(svg_url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    packed = client.get(svg_url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == first.data
    again = client.get(svg_url, headers={"Accept-Encoding": "gzip",
                                         "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == YEAR
    png = client.get(png_url)
    assert png.data.startswith(b"\x89PNG") and png.headers["Cache-Control"] == YEAR
    # Without the key (an address typed by hand) the code still comes, briefly cached.
    bare = client.get(f"/share/qr.svg?path=/teams/{team.slug}")
    assert bare.data == first.data and "immutable" not in bare.headers["Cache-Control"]


def test_the_swish_qr_address_changes_when_the_number_does(client, app_ctx):
    team = factories.make_team(factories.make_company())
    settings.put("swish_number", "1230000001")
    factories.commit()
    first = re.search(r'class="swish-qr" src="([^"]+)"',
                      client.get(f"/teams/{team.slug}").get_data(as_text=True)).group(1)
    answer = client.get(first.replace("&amp;", "&"))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == YEAR
    settings.put("swish_number", "1230000002")
    factories.commit()
    second = re.search(r'class="swish-qr" src="([^"]+)"',
                       client.get(f"/teams/{team.slug}").get_data(as_text=True)).group(1)
    assert second != first
