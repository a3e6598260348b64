"""Commands: backup and restore (the ledger check lives in the ledger package)."""

import click

from ..extensions import db
from . import backup as backups
from . import bp


@bp.cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str):
    """Write a consistent copy of the database to PATH (safe while the app runs)."""
    db.session.remove()
    try:
        written = backups.backup(db.engine, path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Säkerhetskopian är sparad i {written}.")


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore(path: str, yes: bool):
    """Replace the whole database with the copy in PATH."""
    if not yes:
        click.confirm("Allt i databasen ersätts med säkerhetskopian. Fortsätta?", abort=True)
    db.session.remove()
    try:
        backups.restore(db.engine, path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Databasen är återställd. Kör `flask --app wsgi db upgrade` om appen är nyare.")
