"""Every CSV file the app writes: the Swedish Excel way (UTF-8 with BOM, semicolons, CRLF,
decimal comma), streamed a line at a time, and safe to open.

Cells are made safe here, in the one writer, not by each caller: text that a spreadsheet
would read as a formula (starting with = + - @, a tab or a carriage return, also after
leading spaces) gets a leading apostrophe. Numbers stay numbers: ints, and the texts that
`kronor_cell` and `number_cell` mark as numbers, are written as they are. Timestamps are
written in UTC, ISO 8601 ("2026-11-30T14:05:09Z"); say "(UTC)" in the column's header.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

from flask import Response, stream_with_context

from .money import plain_kronor

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class NumberText(str):
    """A cell's text that is a number the app wrote itself (never guarded)."""


def kronor_cell(ore: int | None) -> NumberText:
    """125050 -> "1250,50"; -5000 -> "-50,00" (always two decimals, no grouping); None -> ""."""
    return NumberText("" if ore is None else plain_kronor(ore, always_decimals=True))


def number_cell(text: str) -> NumberText:
    """A number the app formatted itself ("2,5" per mille)."""
    return NumberText(text)


def text_cell(value) -> str:
    """Free text as a cell: one a spreadsheet would run as a formula gets a leading '."""
    value = "" if value is None else str(value)
    if value[:1] in _FORMULA_STARTS or value.lstrip()[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def cell(value) -> str:
    """Any value as a safe cell."""
    if value is None:
        return ""
    if isinstance(value, NumberText):
        return str(value)
    if isinstance(value, bool):
        return text_cell(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:  # stored in UTC; SQLite gives it back without a zone
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return text_cell(value)


def stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Yield the BOM and header, then one line at a time, never the whole file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(v) for v in values])
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def response(header: list[str], rows: Iterable[list], filename: str) -> Response:
    """A streamed CSV download."""
    answer = Response(stream_with_context(stream(header, rows)), mimetype="text/csv")
    answer.headers["Content-Type"] = "text/csv; charset=utf-8"
    answer.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
