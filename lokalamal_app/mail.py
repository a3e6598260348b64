"""Sending e-mail. Every message is written to the outbox table first; with MAIL_SERVER
set it is also sent over SMTP, otherwise the console shows it (and tests read the table)."""

import smtplib
from email.message import EmailMessage

from flask import current_app

from .extensions import db
from .models import OutboxMessage
from .models.base import utcnow


def send_mail(to: str, subject: str, body: str) -> OutboxMessage:
    """Queue a message in the caller's transaction and deliver it."""
    message = OutboxMessage(to=to, subject=subject, body=body)
    db.session.add(message)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        _send_smtp(config, message)
        message.sent_at = utcnow()
    else:
        current_app.logger.info("E-post till %s: %s\n%s", to, subject, body)
    return message


def _send_smtp(config, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
