"""A Kubernetes API server stand-in on loopback, for tests that use the official client.

No API server can run on this machine, so the live paths (the Kubernetes
collector, the live actions) are tested against this one: a stdlib
`http.server` in a thread on a free 127.0.0.1 port that answers with the
shapes a real kube-apiserver sends, for a set of objects the test gives it.

What it serves (paths as the real API spells them):

- Lists, all namespaces or one: `GET /api/v1/pods`, `GET /api/v1/namespaces/NS/pods`,
  `GET /apis/GROUP/VERSION/[namespaces/NS/]PLURAL`. The answer is a `<Kind>List`
  with `metadata.resourceVersion`, paged by `limit` with an opaque `continue`
  token (and `remainingItemCount`). As on a real server, items of built-in kinds
  come without `apiVersion`/`kind`; items of custom resources keep them.
- One object: `GET .../PLURAL/NAME` (and `GET .../PLURAL/NAME/scale` for Deployments
  and StatefulSets, an `autoscaling/v1` Scale).
- `PATCH .../PLURAL/NAME` (and `/scale`) with `application/merge-patch+json`,
  `application/strategic-merge-patch+json` (applied as a JSON merge patch: enough for
  the maps and scalars Costplane patches) or `application/json-patch+json` (RFC 6902:
  add, remove, replace, move, copy, test). The stored object changes, its
  `metadata.resourceVersion` goes up, and the updated object is the answer.
- `DELETE .../PLURAL/NAME` (the object for Pods, Namespaces, Services and PVCs, as
  the real server does; a `Status` of success for the others) and `POST .../PLURAL` (create).

Failures a test can ask for (attributes of `KubeAPIServer`, changeable at any time):

- `token`: every request needs `Authorization: Bearer <token>`, else **401** Unauthorized.
- `forbidden`: plurals (`"pods"`, or `"traefik.io/ingressroutes"`) answered with **403**.
- `unserved`: API groups (`"traefik.io"`) or `group/plural` not served: **404**, as a
  cluster without those CRDs answers.
- `expire_continue`: how many requests carrying a `continue` token get **410** Gone
  (Expired) before tokens work again; each such answer decrements it.
- `delay_seconds`: how long every answer waits first (a slow server, for timeouts).
- `fail_next`: HTTP statuses (503, 429, 500 ...) the next requests get, one each, in
  order, before anything else is checked: a flaky server for retry tests.

Every request is appended to `requests` as a `RecordedRequest` (method, path,
query, content type, parsed JSON body), so a test checks what the client sent.
`objects(kind)` and `get(kind, name, namespace)` read the stored state.

Use `tests.kubeapi.kube_api` (a pytest fixture factory) and
`tests.kubeapi.write_kubeconfig` rather than starting it by hand.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.kubeapi.patch import PatchError, json_patch, merge_patch

JSON = dict[str, Any]

CLUSTER_SCOPED = {
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "VolumeSnapshotClass",
    "VolumeSnapshotContent",
}
"""Kinds that live outside namespaces (everything else is namespaced)."""

CUSTOM_GROUPS = {"traefik.io", "traefik.containo.us", "velero.io", "snapshot.storage.k8s.io"}
"""Groups served from CRDs: their list items keep apiVersion and kind."""

SCALABLE = {"deployments", "statefulsets", "replicasets"}

RETURNS_DELETED = {"Pod", "Namespace", "Service", "PersistentVolumeClaim"}
"""Kinds whose DELETE answers with the object being deleted (others: a Status)."""


def plural_of(kind: str) -> str:
    """The resource name the API uses for a kind (Ingress -> ingresses, Policy -> policies)."""
    lower = kind.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in set("aeiou"):
        return lower[:-1] + "ies"
    return lower + "s"


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str | None
    body: Any  # parsed JSON when the body was JSON, else the raw text, None when empty


@dataclass
class _Paging:
    """What a continue token stands for: a resourceVersion and an offset."""

    resource_version: int
    offset: int

    def encode(self) -> str:
        raw = json.dumps({"v": "meta.k8s.io/v1", "rv": self.resource_version, "start": self.offset})
        return base64.urlsafe_b64encode(raw.encode()).decode()

    @staticmethod
    def decode(token: str) -> _Paging | None:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            return _Paging(int(data["rv"]), int(data["start"]))
        except (ValueError, KeyError, TypeError):
            return None


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: JSON | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def status(self) -> JSON:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "details": self.details,
            "code": self.code,
        }


@dataclass
class KubeAPIServer:
    """The stored objects, the failure switches and the request log of one test server."""

    token: str = "test-token"
    forbidden: set[str] = field(default_factory=set)
    unserved: set[str] = field(default_factory=set)
    expire_continue: int = 0
    fail_next: list[int] = field(default_factory=list)
    delay_seconds: float = 0.0
    requests: list[RecordedRequest] = field(default_factory=list)
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    _store: dict[Resource, dict[tuple[str | None, str], JSON]] = field(default_factory=dict)
    _revision: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _http: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- the objects -------------------------------------------------------------

    def add(self, objects: Iterable[Mapping[str, Any]]) -> None:
        """Store objects (each with apiVersion, kind, metadata.name); uids and versions filled."""
        with self._lock:
            for obj in objects:
                self._put(copy.deepcopy(dict(obj)))

    def serve_kind(self, api_version: str, kind: str, *, plural: str | None = None) -> None:
        """Serve an (empty) list for a kind that has no objects yet."""
        self._resource(api_version, kind, plural)

    def objects(self, kind: str) -> list[JSON]:
        with self._lock:
            return [
                copy.deepcopy(obj)
                for resource, items in self._store.items()
                if resource.kind == kind
                for obj in items.values()
            ]

    def get(self, kind: str, name: str, namespace: str | None = None) -> JSON | None:
        with self._lock:
            for resource, items in self._store.items():
                if resource.kind == kind and (namespace, name) in items:
                    return copy.deepcopy(items[(namespace, name)])
        return None

    def requests_for(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    def _resource(self, api_version: str, kind: str, plural: str | None = None) -> Resource:
        group, version = split_api_version(api_version)
        name = plural or plural_of(kind)
        key = (group, name)
        if key not in self.resources:
            resource = Resource(group, version, name, kind, kind not in CLUSTER_SCOPED)
            self.resources[key] = resource
            self._store[resource] = {}
        return self.resources[key]

    def _put(self, obj: JSON) -> JSON:
        resource = self._resource(obj["apiVersion"], obj["kind"])
        metadata = obj.setdefault("metadata", {})
        namespace = metadata.get("namespace") if resource.namespaced else None
        if resource.namespaced:
            metadata["namespace"] = namespace = namespace or "default"
        key = (namespace, metadata["name"])
        metadata.setdefault("uid", _uid(resource, key))
        metadata.setdefault("creationTimestamp", "2025-01-06T08:00:00Z")
        metadata["resourceVersion"] = str(next(self._revision))
        self._store[resource][key] = obj
        return obj

    @property
    def resource_version(self) -> int:
        with self._lock:
            return max(
                (
                    int(o["metadata"]["resourceVersion"])
                    for items in self._store.values()
                    for o in items.values()
                ),
                default=1000,
            )

    # -- running -----------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._http is not None, "server not started"
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> KubeAPIServer:
        handler = type("Handler", (_Handler,), {"api": self})
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    # -- answering ---------------------------------------------------------------

    def answer(self, request: RecordedRequest, authorization: str | None) -> tuple[int, JSON]:
        try:
            if self.fail_next:
                code = self.fail_next.pop(0)
                raise ApiError(
                    code, HTTPStatus(code).phrase.replace(" ", ""), HTTPStatus(code).phrase
                )
            if authorization != f"Bearer {self.token}":
                raise ApiError(401, "Unauthorized", "Unauthorized")
            with self._lock:
                return self._route(request)
        except ApiError as error:
            return error.code, error.status()

    def _route(self, request: RecordedRequest) -> tuple[int, JSON]:
        group, version, rest = _split_path(request.path)
        namespace: str | None = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest:
            raise _not_found_path()
        resource = self._served(group, version, rest[0])
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        verb = _verb(request.method, name)
        self._authorize(resource, verb, namespace)
        if name is None:
            if request.method == "GET":
                return 200, self._list(resource, namespace, request.query)
            if request.method == "POST":
                return 201, self._create(resource, namespace, request.body)
            raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported")
        if subresource not in (None, "scale", "status") or (
            subresource == "scale" and resource.plural not in SCALABLE
        ):
            raise _not_found_path()
        key = (namespace if resource.namespaced else None, name)
        if request.method == "GET":
            return 200, self._view(resource, self._stored(resource, key), subresource)
        if request.method == "PATCH":
            return 200, self._patch(resource, key, subresource, request)
        if request.method == "DELETE":
            return 200, self._delete(resource, key)
        raise ApiError(405, "MethodNotAllowed", f"{request.method} is not supported")

    def _served(self, group: str, version: str, plural: str) -> Resource:
        resource = self.resources.get((group, plural))
        unserved = group in self.unserved or f"{group}/{plural}" in self.unserved
        if resource is None or resource.version != version or unserved:
            raise _not_found_path()
        return resource

    def _authorize(self, resource: Resource, verb: str, namespace: str | None) -> None:
        qualified = f"{resource.group}/{resource.plural}" if resource.group else resource.plural
        if resource.plural in self.forbidden or qualified in self.forbidden:
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            raise ApiError(
                403,
                "Forbidden",
                f"{qualified.replace('/', '.', 1) if resource.group else qualified} is forbidden: "
                f'User "system:serviceaccount:costplane:costplane-collector" cannot {verb} '
                f'resource "{resource.plural}" in API group "{resource.group}" {scope}',
                {"group": resource.group, "kind": resource.plural},
            )

    def _list(self, resource: Resource, namespace: str | None, query: dict[str, list[str]]) -> JSON:
        items = [
            obj
            for (ns, _), obj in sorted(
                self._store[resource].items(), key=lambda kv: _sort_key(kv[0])
            )
            if namespace is None or ns == namespace
        ]
        limit = int(query.get("limit", ["0"])[0] or 0)
        token = query.get("continue", [""])[0]
        start = 0
        revision = self.resource_version
        if token:
            paging = _Paging.decode(token)
            if paging is None:
                raise ApiError(400, "BadRequest", "continue key is not valid")
            if self.expire_continue > 0:
                self.expire_continue -= 1
                raise ApiError(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use "
                    "the continue token in this response to retrieve the remainder of the "
                    "results. Continuing with the provided token results in an inconsistent "
                    "list - objects that were created, modified, or deleted between the time "
                    "the first chunk was returned and now may show up in the list.",
                )
            start, revision = paging.offset, paging.resource_version
        end = start + limit if limit > 0 else len(items)
        page = [_as_item(resource, obj) for obj in items[start:end]]
        metadata: JSON = {"resourceVersion": str(revision)}
        if end < len(items):
            metadata["continue"] = _Paging(revision, end).encode()
            metadata["remainingItemCount"] = len(items) - end
        return {
            "kind": f"{resource.kind}List",
            "apiVersion": resource.api_version,
            "metadata": metadata,
            "items": page,
        }

    def _stored(self, resource: Resource, key: tuple[str | None, str]) -> JSON:
        obj = self._store[resource].get(key)
        if obj is None:
            qualified = f"{resource.plural}.{resource.group}" if resource.group else resource.plural
            raise ApiError(
                404,
                "NotFound",
                f'{qualified} "{key[1]}" not found',
                {"name": key[1], "group": resource.group, "kind": resource.plural},
            )
        return obj

    def _view(self, resource: Resource, obj: JSON, subresource: str | None) -> JSON:
        if subresource != "scale":
            return copy.deepcopy(obj)
        metadata = obj["metadata"]
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                key: metadata[key]
                for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if key in metadata
            },
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0)},
        }

    def _patch(
        self,
        resource: Resource,
        key: tuple[str | None, str],
        subresource: str | None,
        request: RecordedRequest,
    ) -> JSON:
        current = self._stored(resource, key)
        base = self._view(resource, current, subresource)
        content_type = (request.content_type or "").split(";")[0].strip()
        if content_type in (
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
        ):
            if not isinstance(request.body, dict):
                raise ApiError(400, "BadRequest", "a merge patch must be a JSON object")
            patched = merge_patch(base, request.body)
        elif content_type == "application/json-patch+json":
            if not isinstance(request.body, list):
                raise ApiError(400, "BadRequest", "a JSON patch must be an array of operations")
            try:
                patched = json_patch(base, request.body)
            except PatchError as error:
                raise ApiError(422, "Invalid", str(error)) from None
        else:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - "
                "accepted media types include: application/json-patch+json, "
                "application/merge-patch+json, application/strategic-merge-patch+json",
            )
        if subresource == "scale":
            updated = copy.deepcopy(current)
            updated.setdefault("spec", {})["replicas"] = patched["spec"]["replicas"]
        else:
            updated = patched
            updated["metadata"]["name"], updated["kind"] = key[1], resource.kind
        stored = self._put(updated)
        return self._view(resource, stored, subresource)

    def _delete(self, resource: Resource, key: tuple[str | None, str]) -> JSON:
        obj = self._stored(resource, key)
        del self._store[resource][key]
        if resource.kind in RETURNS_DELETED:
            gone = copy.deepcopy(obj)
            gone["metadata"]["deletionTimestamp"] = "2025-01-06T09:00:00Z"
            return gone
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {
                "name": key[1],
                "group": resource.group,
                "kind": resource.plural,
                "uid": obj["metadata"].get("uid"),
            },
        }

    def _create(self, resource: Resource, namespace: str | None, body: Any) -> JSON:
        if not isinstance(body, dict) or not (body.get("metadata") or {}).get("name"):
            raise ApiError(422, "Invalid", "metadata.name: Required value")
        obj = copy.deepcopy(body)
        obj.setdefault("apiVersion", resource.api_version)
        obj.setdefault("kind", resource.kind)
        if resource.namespaced:
            obj["metadata"]["namespace"] = namespace or obj["metadata"].get("namespace")
        key = (
            obj["metadata"].get("namespace") if resource.namespaced else None,
            obj["metadata"]["name"],
        )
        if key in self._store[resource]:
            raise ApiError(409, "AlreadyExists", f'{resource.plural} "{key[1]}" already exists')
        return copy.deepcopy(self._put(obj))


def _split_path(path: str) -> tuple[str, str, list[str]]:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        return "", parts[1], parts[2:]
    if len(parts) >= 3 and parts[0] == "apis":
        return parts[1], parts[2], parts[3:]
    raise _not_found_path()


def _verb(method: str, name: str | None) -> str:
    if method == "GET":
        return "get" if name else "list"
    return {"PATCH": "patch", "DELETE": "delete", "POST": "create", "PUT": "update"}.get(
        method, method.lower()
    )


def _not_found_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def _as_item(resource: Resource, obj: JSON) -> JSON:
    item = copy.deepcopy(obj)
    if resource.group not in CUSTOM_GROUPS:
        item.pop("apiVersion", None)
        item.pop("kind", None)
    return item


def _sort_key(key: tuple[str | None, str]) -> tuple[str, str]:
    return key[0] or "", key[1]


def _uid(resource: Resource, key: tuple[str | None, str]) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource.group}/{resource.plural}/{key}"))


class _Handler(BaseHTTPRequestHandler):
    api: KubeAPIServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms stalls

    def do_GET(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            content_type=self.headers.get("Content-Type"),
            body=body,
        )
        self.api.requests.append(request)
        if self.api.delay_seconds:  # not time.sleep: tests patch it away to skip backoff
            threading.Event().wait(self.api.delay_seconds)
        status, document = self.api.answer(request, self.headers.get("Authorization"))
        payload = json.dumps(document).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `requests`, not stderr."""
