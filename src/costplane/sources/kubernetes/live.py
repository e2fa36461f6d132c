"""Reading a live cluster with the official `kubernetes` client, one paged list per kind.

Objects are taken from the raw JSON answer (`_preload_content=False`), not the
client's snake_case models: they stay the camelCase JSON every other source
gives, and a field the installed client does not know is kept. Lists are read
`PAGE_SIZE` objects at a time with `continue` tokens, so 50,000 pods never come
in one answer; a token that expired (410 Gone) restarts that kind's list.

What a run cannot read is sorted by what it means:
- 404 (a CRD the cluster does not have, such as Traefik's) and 403 (RBAC denies one
  kind): that kind is skipped and reported; the rest is kept (a partial run).
- 401 (credentials refused), or every kind denied: nothing can be read; one line
  naming the cluster, exit 1.
- Connection errors, timeouts, 429 and 5xx: retried with backoff
  (`with_retries`), then one line naming the cluster and kind, exit 1.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from costplane.errors import InputError, ServiceUnavailableError
from costplane.kubernetes_kinds import KINDS, Kind
from costplane.masked_url import masked_url
from costplane.retries import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, with_retries

PAGE_SIZE = 500
"""Objects per list request: what kubectl and client-go informers use by default."""

LIST_RESTARTS = 3
"""How many times one kind's list restarts after its continue token expired (410)."""

TRANSIENT_STATUSES = {429, 500, 502, 503, 504}

Page = Callable[[str | None], dict[str, Any]]


class _TransientError(Exception):
    """A failure worth another try: the connection, a timeout, 429 or 5xx."""


@dataclass(frozen=True)
class Cluster:
    """A connection to one cluster: the client, its name and where it is (both printable)."""

    api: client.ApiClient
    name: str
    server: str

    @property
    def target(self) -> str:
        return f"{self.name} ({self.server})"


def connect(
    *,
    kubeconfig: Path | None = None,
    context: str | None = None,
    in_cluster: bool = False,
    name: str | None = None,
) -> Cluster:
    """A client from a kubeconfig (its current or named context) or the pod's service account.

    The cluster's name defaults to the context's cluster entry ("in-cluster" inside
    a pod). urllib3's own retries are off: `with_retries` decides, with backoff.
    """
    configuration = client.Configuration()
    try:
        if in_cluster:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
            default_name = "in-cluster"
        else:
            path = str(kubeconfig) if kubeconfig else None
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=path,
                context=context,
                client_configuration=configuration,
                persist_config=False,
            )
            default_name = _context_cluster(path, context)
    except (ConfigException, OSError, ValueError) as error:
        if in_cluster:
            raise InputError(
                f"in-cluster service account: {_first_line(error)} (not running in a pod?)"
            ) from None
        raise InputError(
            f"kubeconfig {kubeconfig or ''}".strip() + f": {_first_line(error)}"
        ) from None
    configuration.retries = 0
    return Cluster(
        client.ApiClient(configuration), name or default_name, masked_url(configuration.host)
    )


def context_cluster(kubeconfig: Path | None, context: str | None) -> str | None:
    """The cluster a kubeconfig context points at, or None when the file cannot say."""
    try:
        return _context_cluster(str(kubeconfig) if kubeconfig else None, context)
    except (ConfigException, OSError, ValueError, TypeError, AttributeError):
        return None


def _context_cluster(path: str | None, context: str | None) -> str:
    contexts, active = config.list_kube_config_contexts(config_file=path)  # type: ignore[no-untyped-call]
    chosen = next((c for c in contexts if c["name"] == context), None) if context else active
    return str(((chosen or {}).get("context") or {}).get("cluster") or context or "default")


@dataclass(frozen=True)
class KindRead:
    """One kind's objects, or why it was skipped."""

    kind: Kind
    objects: list[dict[str, Any]]
    skipped: str | None = None


def read_kinds(cluster: Cluster, kinds: tuple[Kind, ...] = KINDS) -> Iterator[KindRead]:
    """Every kind's objects in turn; skipped kinds say why. Raises on what ends the run."""
    for kind in kinds:
        try:
            yield KindRead(kind, list_objects(cluster, kind))
        except ApiException as error:
            yield KindRead(kind, [], _skip_reason(cluster, kind, error))


def list_objects(cluster: Cluster, kind: Kind, page_size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """All objects of one kind, page by page, each with its apiVersion and kind set."""
    page = _pager(cluster, kind, page_size)
    for _restart in range(LIST_RESTARTS + 1):
        objects: list[dict[str, Any]] = []
        token: str | None = None
        try:
            while True:
                answer = _with_retries(cluster, kind, functools.partial(page, token))
                objects += (_stamped(kind, item) for item in answer.get("items") or ())
                token = (answer.get("metadata") or {}).get("continue") or None
                if token is None:
                    return [obj for obj in objects if kind.keeps(obj)]
        except ApiException as error:
            if error.status != 410 or token is None:
                raise
    raise ServiceUnavailableError(
        f"cluster {cluster.target}: listing {kind.resource} kept expiring "
        f"(410 Gone, {LIST_RESTARTS} restarts): the list changes faster than it can be read"
    )


def _pager(cluster: Cluster, kind: Kind, page_size: int) -> Page:
    """One list request of `kind`, from a continue token, as the raw JSON document."""
    timeout = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
    if kind.custom:
        custom = client.CustomObjectsApi(cluster.api)

        def call(token: str | None) -> Any:
            return custom.list_cluster_custom_object(
                kind.group,
                kind.version,
                kind.plural,
                limit=page_size,
                _continue=token,
                _preload_content=False,
                _request_timeout=timeout,
            )
    else:
        method = getattr(getattr(client, str(kind.client_api))(cluster.api), str(kind.list_method))

        def call(token: str | None) -> Any:
            return method(
                limit=page_size,
                _continue=token,
                _preload_content=False,
                _request_timeout=timeout,
            )

    def page(token: str | None) -> dict[str, Any]:
        response = call(token)
        try:
            document: dict[str, Any] = json.loads(response.data)
        finally:
            response.release_conn()
        return document

    return page


def _with_retries(cluster: Cluster, kind: Kind, call: Callable[[], dict[str, Any]]) -> Any:
    def attempt() -> dict[str, Any]:
        try:
            return call()
        except urllib3.exceptions.HTTPError as error:
            raise _TransientError(_connection_reason(error)) from error
        except ApiException as error:
            if error.status in TRANSIENT_STATUSES or error.status == 0:
                raise _TransientError(f"{error.status} {error.reason}".strip()) from error
            if error.status == 401:
                raise ServiceUnavailableError(
                    f"cluster {cluster.target}: unauthorized (401) listing {kind.resource}: "
                    "the credentials were refused (expired token or wrong kubeconfig user?)"
                ) from None
            raise

    return with_retries(
        attempt,
        what=f"cluster {cluster.target}: listing {kind.resource}",
        retry_on=(_TransientError,),
    )


def _stamped(kind: Kind, item: dict[str, Any]) -> dict[str, Any]:
    """List items of built-in kinds come without apiVersion/kind: put them back, first."""
    if item.get("apiVersion") and item.get("kind"):
        return item
    return {"apiVersion": kind.api_version, "kind": kind.kind, **item}


def _skip_reason(cluster: Cluster, kind: Kind, error: ApiException) -> str:
    if error.status == 404:
        return f"{kind.kind} ({kind.api_version}): not served by the cluster (no CRD?)"
    if error.status == 403:
        return (
            f"{kind.kind} ({kind.api_version}): forbidden (403): grant list on "
            f"{kind.resource} (deploy/kubernetes/base/rbac.yaml)"
        )
    raise ServiceUnavailableError(
        f"cluster {cluster.target}: listing {kind.resource}: {error.status} {error.reason}"
    ) from None


def _connection_reason(error: urllib3.exceptions.HTTPError) -> str:
    reason = getattr(error, "reason", None) or error
    text = _first_line(reason)
    if "Connection refused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    return text.split(": ", 1)[-1] if "Pool(" in text else text


def _first_line(error: object) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
