"""`flask --app wsgi ledger-check`: do the stored totals equal the ledger?"""

import sys

import click

from . import bp
from .check import differences


@bp.cli.command("ledger-check")
def ledger_check():
    """Recompute every total from the ledger and report each difference (exit 1 if any)."""
    found = differences()
    if not found:
        click.echo("Alla summor stämmer med huvudboken.")
        return
    for difference in found:
        click.echo(str(difference))
    click.echo(f"{len(found)} skillnader mellan lagrade summor och huvudboken.", err=True)
    sys.exit(1)
