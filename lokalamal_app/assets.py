"""Static files under content-hashed names, and compressed responses.

`url_for('static', filename='css/app.css')` gives `/static/css/app.<hash>.css`: the name
changes whenever the file does, so browsers may keep it a year without asking again. The
plain name still answers, cached briefly (an old bookmark, a file linked by hand). No build
step: the hashes are read from the files by the server process itself.
"""

import hashlib
import mimetypes
import posixpath
import re
import threading
from pathlib import Path

from flask import Flask, Response, abort, current_app, request
from flask_compress import Compress
from werkzeug.security import safe_join

YEAR = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")


class StaticFiles:
    """The static folder's files, their bytes and content hashes, read once per change."""

    def __init__(self, folder: str, watch: bool):
        self.folder = folder
        self.watch = watch
        self._files: dict[str, tuple[tuple[int, int], bytes, str]] = {}
        self._lock = threading.Lock()

    def read(self, name: str) -> tuple[bytes, str] | None:
        """The file's bytes and content hash, or None when no such file is in the folder."""
        known = self._files.get(name)
        if known is not None and not self.watch:
            return known[1], known[2]
        path = safe_join(self.folder, name)
        if path is None:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        if not Path(path).is_file():
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if known is not None and known[0] == stamp:
            return known[1], known[2]
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._files[name] = (stamp, data, digest)
        return data, digest

    def hashed_name(self, name: str) -> str:
        """`css/app.css` -> `css/app.<hash>.css`; a name that is no file stays as it is."""
        found = self.read(name)
        if found is None:
            return name
        stem, ext = posixpath.splitext(name)
        return f"{stem}.{found[1][:DIGEST_LENGTH]}{ext}"


def _files() -> StaticFiles:
    return current_app.extensions["lokalamal_static"]


def _hash_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = _files().hashed_name(values["filename"])


def serve_static(filename: str) -> Response:
    """A static file: a year's cache under its hashed name, a short one under the plain."""
    files = _files()
    found = files.read(filename)
    cache = f"public, max-age={current_app.config['STATIC_PLAIN_MAX_AGE']}"
    if found is None:
        match = _HASHED.match(filename)
        if match is None:
            abort(404)
        filename = match["stem"] + match["ext"]
        found = files.read(filename)
        if found is None:
            abort(404)
        # Another version's hash (a page from before a deploy): today's file, briefly cached.
        if found[1].startswith(match["digest"]):
            cache = YEAR
    data, digest = found
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    # Whole bytes, not a file stream, so that the compression step can compress them.
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    response.set_etag(digest)
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    # Registered first, so it runs after every other after-request step and compresses the
    # final body. One Compress per app: it keeps the app's settings.
    Compress(app)
    app.extensions["lokalamal_static"] = StaticFiles(app.static_folder,
                                                      app.config.get("STATIC_WATCH", True))
    app.url_default_functions.setdefault(None, []).append(_hash_static_urls)
    app.view_functions["static"] = serve_static
