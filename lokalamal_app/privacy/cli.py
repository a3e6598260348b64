"""Commands: anonymise one person on request, and the retention run for a scheduler."""

import click
from flask import current_app

from ..auth.services import find_by_email
from ..extensions import db
from . import bp, services


@bp.cli.command("anonymise")
@click.argument("email")
@click.option("--reason", default="begäran från personen", help="Why, for the audit log.")
def anonymise(email: str, reason: str):
    """Anonymise the account with this e-mail address (its collections stay in the totals)."""
    user = find_by_email(email)
    if user is None:
        raise click.ClickException("Det finns inget konto med den adressen.")
    try:
        services.anonymise_user(user, actor=None, reason=reason)
    except services.PrivacyError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Konto {user.id} är anonymiserat.")


@bp.cli.command("anonymise-inactive")
@click.option("--months", type=click.IntRange(min=1), default=None,
              help="Anonymise accounts with no login for this many months "
                   "(default: the RETENTION_MONTHS setting).")
@click.option("--dry-run", is_flag=True, help="Only count; change nothing.")
def anonymise_inactive(months: int, dry_run: bool):
    """Anonymise every (non-staff) account inactive for N months; run it from a scheduler."""
    months = months or current_app.config["RETENTION_MONTHS"]
    span = f"{months} månad" if months == 1 else f"{months} månader"
    if dry_run:
        count = len(services.inactive_users(months))
        click.echo(f"{count} konton har varit inaktiva i {span} (inget ändrat).")
        return
    ids = services.anonymise_inactive(months)
    db.session.commit()
    click.echo(f"{len(ids)} konton anonymiserade (inaktiva i {span}).")
