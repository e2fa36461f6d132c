"""Delivering a message: retried on what retrying can fix, and never raising.

A failed delivery is an outcome to record and show, not an error that stops the run:
the other routes still hear their events, and the next run tries this one again.
Webhook URLs carry their token in the path (Slack, Teams), so only scheme and host
are ever shown.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from costplane.catalog import Channel
from costplane.errors import CostplaneError, ServiceUnavailableError
from costplane.notifications.chat import payload
from costplane.notifications.mail import email_message, secret, submit
from costplane.notifications.routing import Message
from costplane.retries import CONNECT_TIMEOUT_SECONDS, with_retries

READ_TIMEOUT_SECONDS = 30.0
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"]+", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    message: Message
    delivered: bool
    error: str | None = None
    destination: str = ""
    """Where it went, shown without secrets: `https://hooks.slack.com/…`, `smtp.example.com:587`."""


class _RetryableError(Exception):
    """A 5xx or 429 answer: worth another attempt, like a dropped connection."""


def deliver(message: Message, environment: Mapping[str, str], *, attempts: int = 3) -> Delivery:
    route = message.route
    destination = ""
    try:
        if route.channel is Channel.EMAIL:
            assert route.email is not None
            email = route.email
            destination = f"{email.smtp_host}:{email.smtp_port}"
            mail = email_message(email, message.events)
            with_retries(
                lambda: submit(email, mail, environment),
                what=f"route {route.id}: {destination}",
                retry_on=(OSError, smtplib.SMTPServerDisconnected),
                attempts=attempts,
                describe=_reason,
            )
        else:
            assert route.url_env is not None
            url = secret(environment, route.url_env)
            destination = shown_url(url)
            body = payload(route.channel, message.events)
            with_retries(
                lambda: _post(url, body, destination),
                what=f"route {route.id}: {destination}",
                retry_on=(httpx.TransportError, _RetryableError),
                attempts=attempts,
                describe=_reason,
            )
    except (CostplaneError, smtplib.SMTPException, OSError, httpx.HTTPError) as error:
        return Delivery(message, False, _reason(error), destination)
    return Delivery(message, True, None, destination)


def shown_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/…"


def _post(url: str, body: object, destination: str) -> None:
    timeout = httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
    response = httpx.post(url, json=body, timeout=timeout)
    if response.status_code >= 500 or response.status_code == 429:
        raise _RetryableError(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise ServiceUnavailableError(
            f"{destination} refused the message: HTTP {response.status_code}"
        )


def _reason(error: BaseException) -> str:
    """One line, with any URL in it (httpx names them) cut to scheme and host."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return URL.sub(lambda match: shown_url(match.group(0)), text)
