"""Which Prometheus to read, and how to authenticate to it, without ever showing a secret.

The URL may carry basic-auth credentials (`https://user:password@host/prefix`);
a bearer token comes from the environment (`COSTPLANE_PROMETHEUS_TOKEN`), so it
never appears in a process list or shell history; a Mimir or Cortex tenant from
`COSTPLANE_PROMETHEUS_ORG_ID` (the `X-Scope-OrgID` header). A path prefix
(`/prometheus` for Mimir, `/api/prom` behind some gateways) is kept: the API
paths are appended to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from costplane.errors import InputError
from costplane.masked_url import masked_url

TOKEN_VARIABLE = "COSTPLANE_PROMETHEUS_TOKEN"
ORG_ID_VARIABLE = "COSTPLANE_PROMETHEUS_ORG_ID"


@dataclass(frozen=True)
class PrometheusTarget:
    """The API's base URL (no credentials), what to show for it, and the secrets apart."""

    base_url: str
    shown: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    org_id: str | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "prometheus"

    def auth(self) -> httpx.Auth | None:
        if self.username is not None:
            return httpx.BasicAuth(self.username, self.password or "")
        return None

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.org_id:
            headers["X-Scope-OrgID"] = self.org_id
        return headers

    def scrub(self, text: str) -> str:
        """`text` with any secret of this target replaced by ***."""
        for secret in (self.password, self.token):
            if secret:
                text = text.replace(secret, "***")
        return text


def prometheus_target(url: str, environ: Mapping[str, str] | None = None) -> PrometheusTarget:
    """The target for `--url`, with the token and tenant from the environment."""
    environ = os.environ if environ is None else environ
    parts = urlsplit(url.strip())
    shown = masked_url(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--url {shown}: not an http(s) URL (example: http://prometheus:9090)")
    if parts.query or parts.fragment:
        raise InputError(f"--url {shown}: must not carry a query string or fragment")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise InputError(f"--url {shown}: the port is not a number") from None
    token = environ.get(TOKEN_VARIABLE) or None
    if token and parts.username is not None:
        raise InputError(
            f"--url {shown}: basic-auth credentials and {TOKEN_VARIABLE} both given; use one"
        )
    hostport = parts.netloc.rsplit("@", 1)[-1]
    base = urlunsplit((parts.scheme, hostport, parts.path.rstrip("/"), "", ""))
    return PrometheusTarget(
        base_url=base,
        shown=shown,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        token=token,
        org_id=environ.get(ORG_ID_VARIABLE) or None,
    )
