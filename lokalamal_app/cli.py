"""Flask commands: demo data, demo accounts, staff accounts, sending the outbox."""

import click
from flask import Flask, current_app

from .extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("demo-data")
    @click.option("--if-empty", is_flag=True, help="Do nothing when there are already users.")
    def demo_data(if_empty: bool):
        """Load fictional Västerås workplaces, teams, people and collections."""
        from . import demo

        if if_empty and demo.has_any_users():
            click.echo("Databasen har redan data; demodata läggs inte in igen.")
            return
        try:
            counts = demo.load()
        except demo.DemoDataRefused as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(
            f"Demodata inlagd: {counts['companies']} arbetsplatser, {counts['teams']} lag, "
            f"{counts['entries']} insamlingar."
        )

    @app.cli.command("demo-accounts")
    @click.option("--port", default=5000, type=click.IntRange(1, 65535),
                  help="The port `make run` serves on (PORT=).")
    def demo_accounts(port: int):
        """Print the address and the demo accounts."""
        from .demo import DEMO_ACCOUNTS

        password = current_app.config["DEMO_PASSWORD"]
        click.echo(f"\nLokala mål körs på http://127.0.0.1:{port}\n")
        click.echo(f"Demokonton (lösenord för alla: {password}):")
        for account in DEMO_ACCOUNTS:
            click.echo(f"  {account.role:<26} {account.email}")
        click.echo("")

    @app.cli.command("make-staff")
    @click.argument("email")
    @click.option("--name", default=None, help="Display name when the account is created.")
    def make_staff(email: str, name: str | None):
        """Give an account staff rights, creating it (with a password prompt) if needed."""
        from . import audit
        from .auth import services
        from .auth.passwords import password_problem

        user = services.find_by_email(email)
        if user is None:
            password = click.prompt("Lösenord för det nya kontot", hide_input=True,
                                    confirmation_prompt=True)
            problem = password_problem(password)
            if problem:
                raise click.ClickException(problem)
            user = services.register_user(name or email.split("@")[0], email, password)
        user.is_staff = True
        audit.record("user.staff_granted", "user", user.id, after={"is_staff": True})
        db.session.commit()
        click.echo(f"{user.email} är nu personal på stadsmissionen.")

    @app.cli.command("send-mail")
    @click.option("--limit", default=500, show_default=True,
                  help="At most this many messages in one run.")
    def send_mail(limit: int):
        """Send the e-mail in the outbox that is due (schedule it every minute)."""
        from . import mail

        outcomes = mail.deliver_due(limit)
        click.echo(
            f"E-post: {outcomes['sent']} skickade, {outcomes['retry']} försöks igen senare, "
            f"{outcomes['failed']} gick inte att skicka."
        )

    @app.cli.command("send-webhooks")
    @click.option("--limit", default=200, show_default=True,
                  help="At most this many messages in one run.")
    def send_webhooks(limit: int):
        """Store the honours of rounds that have ended and queue the challenges' lead changes
        since the last run, then post the queued Slack and Teams messages that are due
        (schedule it every minute)."""
        from .rounds import services as rounds
        from .webhooks import leads, sender

        # Honours of a round that just ended are stored here too, not only when someone
        # opens the honours page, so that its result reaches the channels in time.
        rounds.store_due_honours()
        db.session.commit()
        leads.queue_lead_changes()
        outcomes = sender.deliver_due(limit)
        click.echo(
            f"Webhookar: {outcomes['sent']} skickade, {outcomes['retry']} försöks igen senare, "
            f"{outcomes['failed']} gick inte att skicka."
        )
