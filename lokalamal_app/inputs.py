"""Cleaning what arrives in a request, once for the whole app.

- NUL bytes: PostgreSQL cannot store them in text and refuses the whole query. A path,
  query string or posted form field holding one is refused with 400. Nobody types one, and
  dropping it would change what was sent ("1\x000" kronor would become 10).
- Whole numbers: Python's `str.isdigit()` is true for "²" and "٣", and ids beyond the
  database's integer make PostgreSQL fail. `<int:...>` in a route accepts only ASCII digits
  within the database's integer (anything else is a 404), and `small_int` and `int_arg`
  read numbers from the query string or a form the same way.
"""

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter

from .security import SizedRequest

# The largest value of the database's INTEGER columns (PostgreSQL's int4).
DB_INT_MAX = 2**31 - 1


def small_int(value: str | None) -> int | None:
    """A whole number from 0 to DB_INT_MAX written in ASCII digits, else None."""
    if value and value.isascii() and value.isdigit():
        number = int(value)
        if number <= DB_INT_MAX:
            return number
    return None


def int_arg(name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = DB_INT_MAX) -> int | None:
    """An optional whole number from the query string; `default` when it is missing, not a
    number or outside minimum..maximum."""
    number = small_int(request.args.get(name, "").strip())
    if number is None or not minimum <= number <= maximum:
        return default
    return number


class DatabaseIntConverter(BaseConverter):
    """`<int:name>`: ASCII digits within the database's integer, else the route does not match."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = small_int(value)
        if number is None:
            from werkzeug.routing import ValidationError

            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class CleanRequest(SizedRequest):
    """The app's request: the body is held to the size limit of the view it goes to
    (security.SizedRequest)."""


def _has_nul(data) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in data.items(multi=True))


def _refuse_nul() -> None:
    """400 for a NUL byte in the path, the query string or a posted form field."""
    if "\x00" in request.path or "\x00" in request.query_string.decode("latin-1") or \
            _has_nul(request.args):
        abort(400)
    if request.method not in ("GET", "HEAD", "OPTIONS") and _has_nul(request.form):
        abort(400)


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint adds its routes), the request class and
    the NUL check."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_nul)
