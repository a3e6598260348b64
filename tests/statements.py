"""What the app sends to its database, seen where it is sent.

At the driver: the app reads who is logged in on a pooled connection directly, which
SQLAlchemy's statement events do not see. On PostgreSQL through psycopg's cursors, on SQLite
through SQLite's own trace of each connection checked out while the block runs (BEGIN and
ROLLBACK included, each row of an executemany as its own statement)."""

from contextlib import contextmanager

import psycopg
from sqlalchemy import event


@contextmanager
def sent(engine):
    """A list that fills with (statement, in autocommit) for each statement sent."""
    seen: list[tuple[str, bool]] = []
    if engine.dialect.name != "postgresql":
        traced = []

        def trace(dbapi_connection, _record, _proxy):
            dbapi_connection.set_trace_callback(lambda statement: seen.append((statement, False)))
            traced.append(dbapi_connection)

        event.listen(engine, "checkout", trace)
        try:
            yield seen
        finally:
            event.remove(engine, "checkout", trace)
            for dbapi_connection in traced:  # what comes after the block is not its own
                dbapi_connection.set_trace_callback(None)
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
