"""Notification routes: which events reach which chat channel or mailbox.

Secrets never sit in the catalog, which lives in git: a route names the environment
variable that holds its webhook URL or SMTP password.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.types import Identifier

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class EventKind(enum.StrEnum):
    """What Costplane tells people about."""

    BUDGET = "budget"
    ANOMALY = "anomaly"
    FINDING = "finding"
    SOURCE_STALE = "source-stale"


class Severity(enum.StrEnum):
    """How bad: a policy's findings have one, and so does every event, so one threshold
    routes them all. Declared here, the first stage, for governance and notifications alike."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical, for `--fail-on` and `min_severity`."""
        return list(Severity).index(self)


class Channel(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    WEBHOOK = "webhook"
    EMAIL = "email"


def _env_name(value: str | None) -> str | None:
    if value is not None and not ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not an environment variable name")
    return value


class EmailSettings(CatalogModel):
    """An SMTP server reached with STARTTLS (port 587), as mail submission expects."""

    smtp_host: str = Field(min_length=1)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = Field(
        default=True, description="upgrade the connection with STARTTLS; false only on loopback"
    )
    from_address: str = Field(description="the sender, e.g. costplane@example.com")
    to: list[str] = Field(min_length=1, description="the recipients")
    username_env: str | None = Field(
        default=None, description="environment variable holding the SMTP user name"
    )
    password_env: str | None = Field(
        default=None, description="environment variable holding the SMTP password"
    )
    ca_file: Path | None = Field(
        default=None, description="PEM file of the CA that signed the server's certificate"
    )

    _names = field_validator("username_env", "password_env")(_env_name)

    @field_validator("from_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not ADDRESS.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not ADDRESS.match(address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value


class NotificationRoute(CatalogModel):
    """Events of these kinds, at or above a severity, for these tenants and classes."""

    id: Identifier
    channel: Channel
    url_env: str | None = Field(
        default=None,
        description="environment variable holding the webhook URL (slack, teams, webhook)",
    )
    email: EmailSettings | None = Field(default=None, description="for channel email")
    events: list[EventKind] = Field(
        default_factory=lambda: list(EventKind), min_length=1, description="default: all"
    )
    min_severity: Severity = Severity.MEDIUM
    tenants: list[Identifier] = Field(
        default_factory=list, description="only these tenants' events; empty: any"
    )
    service_classes: list[Identifier] = Field(
        default_factory=list, description="only these classes' events; empty: any"
    )
    digest: Literal["none", "daily"] = Field(
        default="none",
        description="none: a message per event as found; daily: one message a day with all",
    )

    _url = field_validator("url_env")(_env_name)

    @model_validator(mode="after")
    def _destination(self) -> NotificationRoute:
        if self.channel is Channel.EMAIL:
            if self.email is None:
                raise ValueError("an email route needs `email:` (smtp_host, from_address, to)")
            if self.url_env is not None:
                raise ValueError("an email route takes `email:`, not `url_env`")
        else:
            if self.url_env is None:
                raise ValueError(f"a {self.channel.value} route needs `url_env`")
            if self.email is not None:
                raise ValueError(f"a {self.channel.value} route takes `url_env`, not `email:`")
        return self


class Notifications(CatalogModel):
    routes: list[NotificationRoute] = Field(default_factory=list)
    stale_after_hours: int = Field(
        default=36, gt=0, description="a source whose last good collection is older is stale"
    )
