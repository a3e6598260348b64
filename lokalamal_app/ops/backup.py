"""Consistent copies of the database while the app runs, and bringing one back.

SQLite: the online backup API copies a consistent snapshot page by page while others
keep reading and writing. PostgreSQL: pg_dump (one snapshot transaction) in its custom
format, and pg_restore in a single transaction.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, Engine


class BackupError(Exception):
    """A backup or restore that could not be done (message in Swedish)."""


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and an environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{args[0]} finns inte. Installera PostgreSQL-klienten (paketet postgresql-client)."
        ) from exc
    if result.returncode != 0:
        raise BackupError(f"{args[0]} misslyckades: {result.stderr.strip()}")


def backup(engine: Engine, path: str | Path) -> Path:
    """Write a consistent copy of the database to `path` and return it."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupError("Sökvägen är en mapp; ange ett filnamn.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)
            finally:
                target.close()
        finally:
            raw.close()
        tmp.replace(path)  # a half-written copy never takes the name
    elif engine.dialect.name == "postgresql":
        dsn, env = _libpq(engine.url)
        tmp = path.with_name(path.name + ".tmp")
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={tmp}", f"--dbname={dsn}"], env)
        tmp.replace(path)
    else:
        raise BackupError(f"Säkerhetskopiering stöds inte för {engine.dialect.name}.")
    return path


def restore(engine: Engine, path: str | Path) -> None:
    """Replace the whole database with the copy at `path` (made by `backup`)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Filen {path} finns inte.")
    engine.dispose()  # no pooled connection of ours holds on to the old data
    if engine.dialect.name == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError("Filen är ingen säkerhetskopia av Lokala mål.") from exc
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            source.close()
            raw.close()
    elif engine.dialect.name == "postgresql":
        dsn, env = _libpq(engine.url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={dsn}", str(path)], env)
    else:
        raise BackupError(f"Återställning stöds inte för {engine.dialect.name}.")
    engine.dispose()
