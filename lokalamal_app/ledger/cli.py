"""`flask --app wsgi ledger-check` (do the stored figures equal the ledger?) and
`flask --app wsgi ledger-rebuild` (make them equal)."""

import sys

import click

from ..extensions import db
from . import bp, check


@bp.cli.command("ledger-check")
def ledger_check():
    """Recompute every derived figure from the ledger and report each difference (exit 1 if any)."""
    found = check.all_differences()
    if not found:
        click.echo("Alla summor stämmer med huvudboken.")
        return
    for line in found:
        click.echo(line)
    click.echo(f"{len(found)} skillnader mellan lagrade summor och huvudboken.", err=True)
    sys.exit(1)


@bp.cli.command("ledger-rebuild")
@click.option("--dry-run", is_flag=True,
              help="Visa bara vad som skulle rättas; ändra ingenting.")
def ledger_rebuild(dry_run: bool):
    """Write every derived figure again from the ledger, in one transaction that keeps
    ledger writes out while it runs."""
    try:
        check.lock_ledger()
        if dry_run:
            found = check.all_differences()
            db.session.rollback()
            for line in found:
                click.echo(line)
            click.echo(f"{len(found)} skillnader skulle rättas (inget ändrades)."
                       if found else "Alla summor stämmer med huvudboken; inget att rätta.")
            return
        changed = check.rebuild_all()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for name, count in changed.items():
        click.echo(f"{name}: {count} rader skrevs om.")
    click.echo(f"Klart: {sum(changed.values())} rader skrevs om från huvudboken.")
