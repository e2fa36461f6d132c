"""The resources policies run over, grouped by kind, with their identity.

Kubernetes objects come as their camelCase JSON, from a list of dicts (live API,
manifests) or from the warehouse's `inventory_snapshots` Arrow table. Other
resources (`database`, `cache`, `backup-set`, `tenant`, `environment`) are
documents built from the warehouse or the catalog and added with their refs.

Nothing is copied or converted up front: a `Batch` keeps the documents as they
are and builds a `ResourceRef` only for a resource that matched or needs a fact,
so building an inventory of 100,000 objects costs one pass to read their kinds.
Documents kept as JSON text stay text, and those the warehouse keeps as columns
stay columns: the engine reads the paths its policies need straight from them
(`json_texts.py`, `object_columns.py`) and parses a document only when something
asks for it whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

import pyarrow as pa

from costplane.catalog import LabelKeys
from costplane.governance.inventory.columns import Column
from costplane.governance.inventory.json_texts import JsonDocuments, Path
from costplane.governance.inventory.object_columns import Stored, read_parts, stored_texts

Document = Mapping[str, Any]

NON_KUBERNETES_KINDS = (
    "database",
    "cache",
    "backup-set",
    "tenant",
    "environment",
    "node-pool",
)
"""Resources that are not Kubernetes objects; their documents come from the warehouse."""


class ResourceRef(NamedTuple):
    """Who a resource is: the key facts are looked up by, and the tenant it belongs to.

    A named tuple: built for every match, so it must be cheap to make."""

    kind: str
    name: str
    namespace: str | None = None
    cluster: str | None = None
    tenant: str | None = None
    environment: str | None = None
    service_class: str | None = None

    @property
    def key(self) -> tuple[str | None, str, str | None, str]:
        """(cluster, kind, namespace, name): how facts about one resource are keyed."""
        return (self.cluster, self.kind, self.namespace, self.name)


@dataclass
class Batch:
    """All resources of one kind: documents, and how to name each."""

    kind: str
    documents: Sequence[Document]
    refs: Sequence[ResourceRef] | None = None
    cluster: str | None = None
    labels: LabelKeys | None = None
    namespace_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    parts: Sequence[Stored] = ()
    """How the documents are kept when they came from storage, in order: JSON texts or
    stored columns (`documents` then parses each on demand)."""
    resolve: Callable[[int, Document], ResourceRef] | None = None
    """Who the resource at a row is (given its document), when `refs` do not say it."""

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def read_paths(self) -> Callable[[Collection[Path]], dict[Path, Column]] | None:
        """A reader of many paths at once for every resource, when the documents are kept
        as text or columns; None for dictionaries (walked path by path)."""
        return partial(read_parts, self.parts) if self.parts else None

    def ref(self, row: int) -> ResourceRef:
        """The identity of the resource at `row`."""
        return self.refs_of([row])[0]

    def refs_of(self, rows: Iterable[int]) -> list[ResourceRef]:
        """The identities of the resources at `rows`, read from their metadata on demand."""
        if self.refs is not None:
            return list(map(self.refs.__getitem__, rows))
        if self.resolve is not None:
            resolve, documents = self.resolve, self.documents
            return [resolve(row, documents[row]) for row in rows]
        keys = self.labels or LabelKeys()
        tenant_key, environment_key, class_key = keys.tenant, keys.environment, keys.service_class
        namespaces, documents, kind, cluster = (
            self.namespace_labels,
            self.documents,
            self.kind,
            self.cluster,
        )
        found = []
        for row in rows:
            metadata = _mapping(documents[row].get("metadata"))
            namespace = _text(metadata.get("namespace"))
            own = _mapping(metadata.get("labels"))
            inherited = own if kind == "Namespace" else namespaces.get(namespace or "", _EMPTY)
            found.append(
                ResourceRef(
                    kind,
                    _text(metadata.get("name")) or "",
                    namespace,
                    cluster,
                    _text(own.get(tenant_key) or inherited.get(tenant_key)),
                    _text(own.get(environment_key) or inherited.get(environment_key)),
                    _text(own.get(class_key) or inherited.get(class_key)),
                )
            )
        return found


_EMPTY: Mapping[str, Any] = {}


class Inventory:
    """Resources by kind; build with `from_objects`, `from_arrow` or `add`."""

    def __init__(self) -> None:
        self._batches: dict[str, Batch] = {}

    @classmethod
    def from_objects(
        cls,
        objects: Iterable[Document],
        *,
        cluster: str | None = None,
        labels: LabelKeys | None = None,
        kind: str | None = None,
    ) -> Inventory:
        """Kubernetes objects as camelCase JSON; tenant and environment come from `labels`
        on the object or its Namespace (when the Namespace is among the objects). With
        `kind`, the objects are all of that kind (a per-resource list from the API, as
        `kubectl get deployments -o json` gives) and their kinds are not read one by one."""
        documents = objects if isinstance(objects, list) else list(objects)
        inventory = cls()
        if kind is not None:
            inventory._batches[kind] = Batch(kind, documents, cluster=cluster, labels=labels)
            return inventory
        try:
            kinds = list(map(itemgetter("kind"), documents))
        except (KeyError, TypeError):
            kinds = [d.get("kind") if isinstance(d, Mapping) else None for d in documents]
        distinct = set(kinds)
        groups: dict[str, list[Document]]
        if len(distinct) == 1:
            groups = {str(kinds[0]): documents}
        else:
            groups = {}
            for kind, document in zip(kinds, documents, strict=True):
                if isinstance(kind, str):
                    groups.setdefault(kind, []).append(document)
        namespace_labels = _namespace_labels(groups.get("Namespace", []))
        labels = labels if labels is not None else LabelKeys()
        for kind, group in groups.items():
            inventory._batches[kind] = Batch(
                kind, group, cluster=cluster, labels=labels, namespace_labels=namespace_labels
            )
        return inventory

    @classmethod
    def from_arrow(cls, table: pa.Table, kinds: Iterable[str] | None = None) -> Inventory:
        """Rows of `inventory_snapshots` (one snapshot), their objects kept as JSON text;
        only `kinds` are kept when given."""
        inventory = cls()
        wanted = set(kinds) if kinds is not None else None
        columns = {name: table.column(name).to_pylist() for name in _ARROW_IDENTITY}
        rows_by_kind: dict[str, list[int]] = {}
        for row, kind in enumerate(columns["kind"]):
            if kind is not None and (wanted is None or kind in wanted):
                rows_by_kind.setdefault(kind, []).append(row)
        objects = table.column("object").combine_chunks()
        for kind, rows in rows_by_kind.items():
            texts = objects.take(pa.array(rows))
            refs = [
                ResourceRef(
                    kind=kind,
                    name=columns["name"][row] or "",
                    namespace=columns["namespace"][row],
                    cluster=columns["cluster"][row],
                    tenant=columns["tenant"][row],
                    environment=columns["environment"][row],
                    service_class=columns["service_class"][row],
                )
                for row in rows
            ]
            inventory.add_texts(kind, texts, refs=refs)
        return inventory

    def add_texts(
        self,
        kind: str,
        texts: pa.Array,
        *,
        refs: Sequence[ResourceRef] | None = None,
        resolve: Callable[[int, Document], ResourceRef] | None = None,
    ) -> None:
        """Resources of `kind` as JSON texts (one object each), named by `refs` or by
        `resolve(row)`; replaces any batch of that kind."""
        self.add_stored(kind, [texts], refs=refs, resolve=resolve)

    def add_stored(
        self,
        kind: str,
        parts: Sequence[Stored],
        *,
        refs: Sequence[ResourceRef] | None = None,
        resolve: Callable[[int, Document], ResourceRef] | None = None,
    ) -> None:
        """Resources of `kind` kept as JSON texts or stored columns (`warehouse/columnar.py`),
        one part after the other, named by `refs` or by `resolve(row)`; replaces any batch
        of that kind."""
        if refs is None and resolve is None:
            raise ValueError(f"{kind} resources need refs or a resolve function")
        documents = JsonDocuments(partial(stored_texts, parts), sum(map(len, parts)))
        self._batches[kind] = Batch(kind, documents, refs=refs, parts=parts, resolve=resolve)

    def add(self, kind: str, documents: Sequence[Document], refs: Sequence[ResourceRef]) -> None:
        """Add resources of `kind` (any kind, e.g. `database`) with their refs, in order."""
        if len(documents) != len(refs):
            raise ValueError(f"{len(documents)} documents but {len(refs)} refs for {kind}")
        batch = self._batches.get(kind)
        if batch is None:
            self._batches[kind] = Batch(kind, list(documents), list(refs))
            return
        old_refs = [batch.ref(row) for row in range(len(batch))]
        self._batches[kind] = Batch(kind, [*batch.documents, *documents], [*old_refs, *refs])

    def batch(self, kind: str) -> Batch | None:
        return self._batches.get(kind)

    @property
    def kinds(self) -> list[str]:
        return sorted(self._batches)

    def __len__(self) -> int:
        return sum(len(batch) for batch in self._batches.values())


_ARROW_IDENTITY = ("cluster", "kind", "namespace", "name", "tenant", "environment", "service_class")


def _namespace_labels(namespaces: Sequence[Document]) -> dict[str, Mapping[str, str]]:
    found: dict[str, Mapping[str, str]] = {}
    for namespace in namespaces:
        metadata = _mapping(namespace.get("metadata"))
        name = metadata.get("name")
        if isinstance(name, str):
            found[name] = _mapping(metadata.get("labels"))
    return found


def _mapping(value: object) -> Mapping[str, Any]:
    if type(value) is dict or isinstance(value, Mapping):
        return value
    return _EMPTY


def _text(value: object) -> str | None:
    return value if type(value) is str else None
