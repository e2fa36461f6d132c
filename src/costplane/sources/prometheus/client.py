"""The Prometheus HTTP API, read-only: label values, series and range queries.

Every call is retried with backoff when the server is busy or unreachable
(transport errors, HTTP 429, 502, 503, 504); what retrying cannot fix is not
retried. Errors come in two kinds: `QueryFailedError` (this one query was refused or
kept failing: the collection goes on and reports it) and
`ServiceUnavailableError` (the server cannot be reached, denies access, or is
not a Prometheus API: nothing more can be read). Thanos, Mimir, Cortex and
VictoriaMetrics serve the same API; `partial_response=false` asks Thanos to fail
rather than silently drop a store's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from costplane.errors import ExecutionError, ServiceUnavailableError
from costplane.retries import ATTEMPTS, CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, with_retries
from costplane.sources.prometheus.matrix import Matrix, decode_matrix
from costplane.sources.prometheus.target import PrometheusTarget

RETRY_STATUSES = frozenset({429, 502, 503, 504})
INFO_PREFIX = "PromQL info:"
"""Prometheus's informational annotations (not a sign of missing data)."""


class QueryFailedError(ExecutionError):
    """One request was refused or kept failing; the message is its one-line reason."""


class _BusyError(Exception):
    """A status worth retrying; carries the reason."""


class PrometheusClient:
    """A connection to one Prometheus-compatible API; use as a context manager."""

    def __init__(self, target: PrometheusTarget, *, attempts: int = ATTEMPTS) -> None:
        self.target = target
        self.attempts = attempts
        self.warnings: list[str] = []
        self._http = httpx.Client(
            timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            headers=target.headers(),
            auth=target.auth(),
            follow_redirects=False,
        )

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    @property
    def what(self) -> str:
        return f"Prometheus at {self.target.shown}"

    def label_values(self, label: str, match: Sequence[str], start: int, end: int) -> list[str]:
        """The values `label` takes on series matching any of `match` in [start, end]."""
        params = [("match[]", m) for m in match] + [("start", str(start)), ("end", str(end))]
        data = self._call("GET", f"/api/v1/label/{label}/values", params)
        return [str(v) for v in data]

    def series(self, match: Sequence[str], start: int, end: int) -> list[dict[str, str]]:
        """The label sets of the series matching any of `match` in [start, end]."""
        form = [("match[]", m) for m in match] + [("start", str(start)), ("end", str(end))]
        data = self._call("POST", "/api/v1/series", form)
        return [dict(labels) for labels in data]

    def query_range(self, query: str, start: int, end: int, step: int) -> Matrix:
        """A matrix: the query evaluated at start, start + step, ..., end (epoch seconds)."""
        form = [
            ("query", query),
            ("start", str(start)),
            ("end", str(end)),
            ("step", str(step)),
            ("partial_response", "false"),
        ]
        response = self._send("POST", "/api/v1/query_range", form)
        if response.status_code == 200:
            try:
                matrix = decode_matrix(response.content)
            except ValueError:
                pass  # not a matrix: _data says what it is
            else:
                self._warn(matrix.warnings)
                return matrix
        self._data(response, "/api/v1/query_range")
        raise QueryFailedError("the answer is not a matrix")

    def _call(self, method: str, path: str, params: list[tuple[str, str]]) -> Any:
        return self._data(self._send(method, path, params), path)

    def _send(self, method: str, path: str, params: list[tuple[str, str]]) -> httpx.Response:
        last: list[BaseException] = []

        def attempt() -> httpx.Response:
            try:
                if method == "GET":
                    query = httpx.QueryParams(dict_form(params))
                    response = self._http.get(self.target.base_url + path, params=query)
                else:
                    response = self._http.post(self.target.base_url + path, data=dict_form(params))
            except httpx.TransportError as error:
                last[:] = [error]
                raise
            if response.status_code in RETRY_STATUSES:
                busy = _BusyError(f"HTTP {response.status_code}{_error_detail(response)}")
                last[:] = [busy]
                raise busy
            return response

        try:
            response = with_retries(
                attempt,
                what=self.what,
                retry_on=(httpx.TransportError, _BusyError),
                attempts=self.attempts,
                describe=self._describe,
            )
        except ServiceUnavailableError as error:
            if last and isinstance(last[0], httpx.ConnectError | httpx.ConnectTimeout):
                raise ServiceUnavailableError(self.target.scrub(str(error))) from None
            reason = self._describe(last[0]) if last else str(error)
            raise QueryFailedError(f"{reason} (after {self.attempts} attempts)") from None
        return response

    def _describe(self, error: BaseException) -> str:
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
            reason = f"cannot connect ({error})" if str(error) else "cannot connect"
        elif isinstance(error, httpx.TimeoutException):
            reason = f"no answer within {READ_TIMEOUT_SECONDS:g} s"
        else:
            reason = str(error) or type(error).__name__
        return self.target.scrub(reason.strip().splitlines()[0] if reason.strip() else reason)

    def _data(self, response: httpx.Response, path: str) -> Any:
        status = response.status_code
        if status in (401, 403):
            raise ServiceUnavailableError(
                f"{self.what}: access denied (HTTP {status}); check the credentials "
                "(basic auth in the URL, or COSTPLANE_PROMETHEUS_TOKEN)"
            )
        if status == 404:
            raise ServiceUnavailableError(
                f"{self.what}: no Prometheus API at {self.target.shown}{path} (HTTP 404)"
            )
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict) or "status" not in document:
            raise ServiceUnavailableError(
                f"{self.what}: the answer to {path} is not the Prometheus API's JSON "
                f"(HTTP {status})"
            )
        if document["status"] != "success":
            kind = document.get("errorType", "error")
            lines = str(document.get("error", "")).splitlines()
            detail = self.target.scrub(lines[0] if lines else "")
            reason = f"HTTP {status} {kind}"
            raise QueryFailedError(f"{reason}: {detail}" if detail else reason)
        self._warn(document.get("warnings") or [])
        return document.get("data")

    def _warn(self, warnings: list[Any]) -> None:
        for warning in warnings:
            if not str(warning).startswith(INFO_PREFIX):
                self.warnings.append(self.target.scrub(str(warning)))


def dict_form(params: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """A form with repeated keys (`match[]`) as httpx takes it."""
    form: dict[str, str | list[str]] = {}
    for key, value in params:
        if key in form:
            existing = form[key]
            form[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            form[key] = value
    return form


def _error_detail(response: httpx.Response) -> str:
    """`: <the API's error text>` when the body says it, else nothing."""
    try:
        document = response.json()
    except ValueError:
        return ""
    if isinstance(document, dict) and document.get("error"):
        return f": {str(document['error']).splitlines()[0]}"
    return ""
