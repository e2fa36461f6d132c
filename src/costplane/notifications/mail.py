"""E-mail over SMTP with STARTTLS: the message, and its submission."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

from costplane.catalog import EmailSettings
from costplane.errors import InputError
from costplane.notifications.chat import amount_text, headline
from costplane.notifications.event import Event
from costplane.retries import CONNECT_TIMEOUT_SECONDS


def email_message(settings: EmailSettings, events: Sequence[Event]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = headline(events).replace("\n", " ")[:200]
    message["From"] = settings.from_address
    message["To"] = ", ".join(settings.to)
    lines = []
    for event in events:
        lines.append(f"[{event.severity.value}] {event.title}{amount_text(event)}")
        lines.append(f"    {event.text}")
        lines.append("")
    message.set_content("\n".join(lines))
    return message


def secret(environment: Mapping[str, str], name: str) -> str:
    value = environment.get(name)
    if not value:
        raise InputError(f"environment variable {name} is not set")
    return value


def submit(settings: EmailSettings, message: EmailMessage, environment: Mapping[str, str]) -> None:
    """Send it; `smtplib`'s errors (refused, no STARTTLS, bad login) propagate."""
    user = secret(environment, settings.username_env) if settings.username_env else None
    password = secret(environment, settings.password_env) if settings.password_env else None
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=CONNECT_TIMEOUT_SECONDS
    ) as smtp:
        smtp.ehlo()
        if settings.starttls:
            cafile = str(settings.ca_file) if settings.ca_file else None
            smtp.starttls(context=ssl.create_default_context(cafile=cafile))
            smtp.ehlo()
        if user is not None:
            smtp.login(user, password or "")
        smtp.send_message(message)
