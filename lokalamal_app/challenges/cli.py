"""`flask --app wsgi settle-challenges`: freeze the results that are due."""

import click

from ..extensions import db
from . import bp, services


@bp.cli.command("settle-challenges")
def settle_challenges():
    """Settle every challenge whose end date and reconciliation window have passed."""
    settled = services.settle_due()
    db.session.commit()
    click.echo(f"Avgjorda utmaningar: {settled}.")
