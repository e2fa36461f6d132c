"""`notify`: POST the findings as JSON to a webhook (channels such as Slack come later).

One request carries every target of the plan, so a run of a hundred findings
is one message, not a hundred. Webhook URLs often carry their token in the
path (Slack, Teams), so plans and the audit log show only scheme and host.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import httpx
from pydantic import Field, field_validator

from costplane.actions.change import Applied, Change, Skipped, no_change
from costplane.actions.registry import Action, ActionOptions, refuse_unknown, register_action
from costplane.actions.target import Target
from costplane.errors import InputError, ServiceUnavailableError
from costplane.retries import CONNECT_TIMEOUT_SECONDS, with_retries

if TYPE_CHECKING:
    from costplane.actions.cluster import Cluster

READ_TIMEOUT_SECONDS = 30.0


class _ServerError(Exception):
    """A 5xx answer: worth retrying, like a dropped connection."""


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class NotifyOptions(ActionOptions):
    url: str = Field(description="the webhook (http or https)")

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not is_http_url(url):
            raise ValueError(f"must be an http(s) URL, not {url!r}")
        return url


@register_action
class Notify(Action):
    name = "notify"
    summary = "POST the findings as JSON to a webhook URL"
    options = NotifyOptions
    batched = True
    touches_cluster = False

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Self:
        refuse_unknown(cls, params)
        url = params.get("url", "")
        if not is_http_url(url):
            raise InputError("notify: --param url= must be an http(s) URL")
        return cls(url)

    @property
    def shown_url(self) -> str:
        """The URL without its path, query or credentials: they may hold a token."""
        parts = urlsplit(self.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return f"{parts.scheme}://{host}/…"

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        return no_change(target, self.name, f"POST to {self.shown_url}")

    def execute(self, changes: Sequence[Change], cluster: Cluster | None) -> list[Applied]:
        body = {"source": "costplane", "findings": [finding_of(c) for c in changes]}
        status = with_retries(
            lambda: self._post(body),
            what=f"webhook {self.shown_url}",
            retry_on=(httpx.TransportError, _ServerError),
        )
        return [Applied(f"sent to {self.shown_url} (HTTP {status})")] * len(changes)

    def _post(self, body: Mapping[str, Any]) -> int:
        timeout = httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
        response = httpx.post(self.url, json=body, timeout=timeout)
        if response.status_code >= 500:
            raise _ServerError(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ServiceUnavailableError(
                f"webhook {self.shown_url} refused the notification: HTTP {response.status_code}"
            )
        return response.status_code


def finding_of(change: Change) -> dict[str, Any]:
    """The finding a change came from, or one in the same shape for a plain target."""
    if change.finding is not None:
        return {str(k): _plain(v) for k, v in change.finding.items()}
    return {
        "resource": {"kind": change.kind, "namespace": change.namespace, "name": change.name},
        "monthly_waste": format(change.monthly_amount, "f"),
        "currency": change.currency,
        "message": change.reason,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
