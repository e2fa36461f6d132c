"""Where objects are read from and changes are applied: a live cluster, or manifest files.

`LiveCluster` talks to the API server with the official `kubernetes` client:
a change is a PATCH with `application/merge-patch+json`, or a DELETE. Both are
conditional on the object being the one that was planned against: the patch
carries the planned `metadata.resourceVersion` (the server answers 409 Conflict
if anyone changed the object since), a delete carries preconditions on uid and
resourceVersion. `ManifestObjects` reads objects from files, for plans and
GitOps patches that never touch a cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from costplane.actions.change import Applied, Change
from costplane.actions.merge_patch import old_values
from costplane.actions.target import ObjectRef, ref_of
from costplane.errors import ExecutionError, InputError, ServiceUnavailableError
from costplane.kubernetes_kinds import KINDS
from costplane.retries import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, with_retries
from costplane.sources import manifest_files, read_objects

MERGE_PATCH = "application/merge-patch+json"
PAGE_SIZE = 500
_TIMEOUT = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
_CLUSTER_SCOPED = {k.kind for k in KINDS if not k.namespaced} | {
    "ClusterRole",
    "VolumeSnapshotContent",
}
_DEFAULT_VERSIONS = {k.kind: k.api_version for k in KINDS}
_PLURALS = {(k.group, k.kind): k.plural for k in KINDS}


class ChangeRefusedError(ExecutionError):
    """The API server refused one change (conflict, gone, forbidden, invalid); others go on."""


class Objects(Protocol):
    """Somewhere objects can be read: a cluster or a directory of manifests."""

    def read(self, ref: ObjectRef) -> dict[str, Any] | None: ...

    def list(self, kind: str, namespace: str) -> list[dict[str, Any]]: ...


class Cluster(Objects, Protocol):
    """A cluster changes can be applied to."""

    target: str

    def apply(self, change: Change) -> Applied: ...


def resource_path(ref: ObjectRef, *, collection: bool = False) -> str:
    """The API path of an object (or, with `collection`, of its kind in its namespace)."""
    api_version = ref.api_version or _DEFAULT_VERSIONS.get(ref.kind)
    if not api_version:
        raise InputError(f"{ref}: unknown kind; give the object's apiVersion")
    group, _, version = api_version.rpartition("/")
    base = f"/apis/{group}/{version}" if group else f"/api/{version}"
    plural = _PLURALS.get((group, ref.kind)) or plural_of(ref.kind)
    scope = "" if ref.kind in _CLUSTER_SCOPED else f"/namespaces/{ref.namespace}"
    path = f"{base}{scope}/{plural}"
    return path if collection else f"{path}/{ref.name}"


def plural_of(kind: str) -> str:
    """The resource name for a kind not in the collector's table (as the API server names it)."""
    lower = kind.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        return f"{lower}es"
    if lower.endswith("y") and lower[-2:-1] not in set("aeiou"):
        return f"{lower[:-1]}ies"
    return f"{lower}s"


class LiveCluster:
    """A live cluster, through an `ApiClient` of the official client."""

    def __init__(self, api: ApiClient, target: str) -> None:
        self.api = api
        self.target = target  # printable: a context name and server, never a token

    def read(self, ref: ObjectRef) -> dict[str, Any] | None:
        try:
            obj = self._call_reading("GET", resource_path(ref), what=f"reading {ref}")
        except ApiException as error:
            if error.status == 404:
                return None
            raise self._refused(ref, "read", error) from None
        return _stamped(obj, ref)

    def list(self, kind: str, namespace: str) -> list[dict[str, Any]]:
        ref = ObjectRef(kind, namespace, "")
        path, objects, token = resource_path(ref, collection=True), [], ""
        while True:
            query = f"?limit={PAGE_SIZE}" + (f"&continue={token}" if token else "")
            try:
                answer = self._call_reading(
                    "GET", path + query, what=f"listing {kind} in {namespace}"
                )
            except ApiException as error:
                raise self._refused(ref, "list", error) from None
            objects += [_stamped(item, ref) for item in answer.get("items") or ()]
            token = (answer.get("metadata") or {}).get("continue") or ""
            if not token:
                return objects

    def apply(self, change: Change) -> Applied:
        ref = change.ref
        try:
            if change.is_delete:
                self._call("DELETE", resource_path(ref), body=_delete_options(change))
                return Applied("deleted")
            patch = dict(change.merge_patch or {})
            if change.resource_version:
                metadata = {**patch.get("metadata", {}), "resourceVersion": change.resource_version}
                patch["metadata"] = metadata
            answer = self._call("PATCH", resource_path(ref), body=patch, content_type=MERGE_PATCH)
        except ApiException as error:
            raise self._refused(ref, "delete" if change.is_delete else "patch", error) from None
        except urllib3.exceptions.HTTPError as error:
            raise ServiceUnavailableError(f"cluster {self.target}: {_first_line(error)}") from None
        version = (answer.get("metadata") or {}).get("resourceVersion", "?")
        return Applied(
            f"patched (resourceVersion {version})", old_values(answer, change.merge_patch or {})
        )

    def _call_reading(self, method: str, path: str, *, what: str) -> dict[str, Any]:
        """A read, retried on connection trouble (a write is never retried blindly)."""
        return with_retries(
            lambda: self._call(method, path),
            what=f"cluster {self.target}: {what}",
            retry_on=(urllib3.exceptions.HTTPError,),
            describe=_first_line,
        )

    def _call(
        self, method: str, path: str, *, body: Any = None, content_type: str | None = None
    ) -> dict[str, Any]:
        """One request through the client's REST layer (its TLS, proxy and token handling),
        with the content type said explicitly: the typed methods guess it differently from
        one client release to the next."""
        configuration = self.api.configuration
        headers = {**self.api.default_headers, "Accept": "application/json"}
        token = configuration.auth_settings().get("BearerToken")
        if token and token.get("value"):
            headers[token["key"]] = token["value"]
        if content_type:
            headers["Content-Type"] = content_type
        response = self.api.rest_client.request(  # type: ignore[no-untyped-call]
            method, configuration.host + path, headers=headers, body=body, _request_timeout=_TIMEOUT
        )
        data = response.data if response.data is not None else response.read()
        if not 200 <= response.status <= 299:  # older clients raise this themselves
            raise ApiException(http_resp=response)
        answer = json.loads(data or b"{}")
        return answer if isinstance(answer, dict) else {}

    def _refused(self, ref: ObjectRef, verb: str, error: ApiException) -> ExecutionError:
        reason = _status_message(error)
        if error.status == 401:
            return ServiceUnavailableError(f"cluster {self.target}: unauthorized (401): {reason}")
        if error.status in (0, 429) or error.status >= 500:
            return ServiceUnavailableError(f"cluster {self.target}: {error.status} {reason}")
        hint = {
            409: "it changed since the plan was made; plan again",
            404: "it no longer exists",
            403: f"forbidden: grant {verb} on it (see docs/actions.md)",
        }.get(error.status, reason)
        return ChangeRefusedError(f"{ref}: {error.status} {hint}")


def _delete_options(change: Change) -> dict[str, Any]:
    preconditions = {
        key: value
        for key, value in (("uid", change.uid), ("resourceVersion", change.resource_version))
        if value
    }
    options: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions"}
    if preconditions:
        options["preconditions"] = preconditions
    return options


def _stamped(obj: dict[str, Any], ref: ObjectRef) -> dict[str, Any]:
    """List items of built-in kinds come without apiVersion and kind: put them back."""
    if obj.get("apiVersion") and obj.get("kind"):
        return obj
    api_version = ref.api_version or _DEFAULT_VERSIONS.get(ref.kind, "")
    return {"apiVersion": api_version, "kind": ref.kind, **obj}


def _status_message(error: ApiException) -> str:
    try:
        status = json.loads(error.body or "{}")
    except (TypeError, ValueError):
        status = {}
    message = status.get("message") if isinstance(status, dict) else None
    return str(message or error.reason or "").strip()


def _first_line(error: object) -> str:
    reason = getattr(error, "reason", None) or error
    return (str(reason).strip().splitlines() or [type(error).__name__])[0]


class ManifestObjects:
    """Objects from a directory of YAML/JSON manifests (a GitOps repository, an export)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        for path in manifest_files(directory):
            for obj in read_objects(path):
                ref = ref_of(obj)
                self._objects[(ref.kind, ref.namespace, ref.name)] = obj

    def read(self, ref: ObjectRef) -> dict[str, Any] | None:
        return self._objects.get((ref.kind, ref.namespace, ref.name))

    def list(self, kind: str, namespace: str) -> list[dict[str, Any]]:
        return [
            o for (k, ns, _), o in sorted(self._objects.items()) if k == kind and ns == namespace
        ]
