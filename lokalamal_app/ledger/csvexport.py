"""CSV the Swedish Excel way: UTF-8 with BOM, semicolons, decimal comma; streamed."""

import csv
import io
from collections.abc import Iterable, Iterator

BOM = "\ufeff"


def kronor_cell(ore: int) -> str:
    """125050 -> "1250,50"; -5000 -> "-50,00" (always two decimals, no grouping)."""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor},{rest:02d}"


def stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Yield the BOM and header, then one line at a time, never the whole file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def text_cell(value) -> str:
    """Free text as a cell; a leading = + - @ is quoted so Excel never runs it as a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
