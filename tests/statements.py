"""What the app sends to its database, seen where it is sent.

On PostgreSQL at the driver (psycopg's cursors): the app reads who is logged in on a pooled
connection directly, which SQLAlchemy's statement events do not see. On SQLite through
SQLAlchemy's events, which see every statement there (BEGIN included)."""

from contextlib import contextmanager

import psycopg
from sqlalchemy import event


@contextmanager
def sent(engine):
    """A list that fills with (statement, in autocommit) for each statement sent."""
    seen: list[tuple[str, bool]] = []
    if engine.dialect.name != "postgresql":
        def before(_conn, _cursor, statement, *_args):
            seen.append((statement, False))

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def recording(method):
        def wrapper(cursor, query, *args, **kwargs):
            seen.append((str(query), cursor.connection.autocommit))
            return method(cursor, query, *args, **kwargs)
        return wrapper

    psycopg.Cursor.execute, psycopg.Cursor.executemany = recording(execute), recording(executemany)
    try:
        yield seen
    finally:
        psycopg.Cursor.execute, psycopg.Cursor.executemany = execute, executemany
