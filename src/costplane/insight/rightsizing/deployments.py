"""The Deployments' containers in each cluster's newest snapshot: names and command lines,
what the Odoo worker options are read from.

Read from `inventory_columns`, the objects as columns (what `costplane govern` reads):
only the containers' `name`, `command` and `args` leaves are decoded, milliseconds for
25,000 Deployments, where parsing the objects' JSON costs a third of a second even in
the engine. A cluster whose columns do not hold every Deployment of its snapshot (the
same snapshot loaded twice, say), or hold those leaves in another shape (a field that
is a list in one object and text in another stays JSON text), is read from the
objects' JSON texts instead: the Deployments that mention `--workers=`, their
containers by JSON path in the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from costplane.warehouse import ELEMENT, ObjectColumns, Warehouse

ContainerArgs = tuple[str, tuple[str, ...]]
"""A container's name and its command line (`command`, then `args`), as text."""

ODOO_DEPLOYMENT = "--workers="
"""Text every Odoo Deployment's object contains (the JSON texts are filtered on it)."""

DEPLOYMENT = "Deployment"
_CONTAINERS = ("spec", "template", "spec", "containers")
_LINE = ("command", "args")


def newest_of(snapshots: ibis.Table, newest: ibis.Table, kinds: list[str]) -> ibis.Table:
    """The objects of these kinds in each cluster's newest snapshot (`newest`: cluster,
    newest). The kinds are chosen before the join: chosen after it, DuckDB reads every
    object's text first (a quarter of a GB at 5,000 tenants, half a second)."""
    rows = snapshots.filter(snapshots.kind.isin(kinds))
    return rows.join(newest, [rows.cluster == newest.cluster, rows.taken_at == newest.newest])


def deployment_containers(
    warehouse: Warehouse, snapshots: ibis.Table, newest: ibis.Table, counts: Mapping[str, int]
) -> Iterator[tuple[str, str, str, tuple[ContainerArgs, ...]]]:
    """(cluster, namespace, name, containers) of the Deployments in each cluster's newest
    snapshot (`newest_of`); `counts` the Deployments per cluster there, which the
    columns must hold."""
    stored = warehouse.table("inventory_columns")
    parts = (
        stored.join(newest, [stored.cluster == newest.cluster, stored.taken_at == newest.newest])
        .filter(stored.kind == DEPLOYMENT)
        .select(stored.cluster, stored.objects, stored.doc, stored.texts)
        .to_pyarrow()
    )
    held: dict[str, int] = {}
    columns: dict[str, list[ObjectColumns]] = {}
    for cluster, objects, doc, texts in _tuples(parts):
        held[cluster or ""] = held.get(cluster or "", 0) + objects
        columns.setdefault(cluster or "", []).append(ObjectColumns(doc, texts))
    from_texts = []
    for cluster, count in counts.items():
        parts_read = columns.get(cluster, []) if held.get(cluster) == count else []
        shapes = [_leaves(part) for part in parts_read]
        if not parts_read or any(leaves is None for leaves in shapes):
            from_texts.append(cluster)
            continue
        for part, leaves in zip(parts_read, shapes, strict=True):
            assert leaves is not None
            yield from _from_columns(cluster, part, leaves)
    if from_texts:
        yield from _from_texts(newest_of(snapshots, newest, [DEPLOYMENT]), from_texts)


def _leaves(part: ObjectColumns) -> list[tuple[str, ...]] | None:
    """The leaves to read: the objects' namespace and name, their containers' name and
    command line; None when the columns do not hold them as names and lists of text."""
    node: pa.DataType = part.structure
    for name in ("metadata", "name"), ("metadata", "namespace"):
        if not _is_text(_field(node, name)):
            return None
    for step in _CONTAINERS:
        found = _field(node, (step,))
        if found is None:
            return []  # no Deployment has containers: nothing to read
        node = found
    if not pa.types.is_list(node) or not pa.types.is_struct(node.value_type):
        return None
    container = node.value_type
    leaves: list[tuple[str, ...]] = [("metadata", "name"), ("metadata", "namespace")]
    if container.get_field_index("name") >= 0:
        if not _is_text(container.field("name").type):
            return None
        leaves.append((*_CONTAINERS, ELEMENT, "name"))
    for line in _LINE:
        if container.get_field_index(line) < 0:
            continue
        kind = container.field(line).type
        if not pa.types.is_list(kind) or not _is_text(kind.value_type):
            return None
        leaves.append((*_CONTAINERS, ELEMENT, line))
    return leaves


def _field(node: pa.DataType | None, path: tuple[str, ...]) -> pa.DataType | None:
    for step in path:
        if node is None or not pa.types.is_struct(node) or node.get_field_index(step) < 0:
            return None
        node = node.field(step).type
    return node


def _is_text(kind: pa.DataType | None) -> bool:
    return kind is not None and (pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _from_columns(
    cluster: str, part: ObjectColumns, leaves: list[tuple[str, ...]]
) -> Iterator[tuple[str, str, str, tuple[ContainerArgs, ...]]]:
    """Column at a time: each distinct container (name and command line) is decoded
    once, and the Deployments' names without `json.loads` where they are plain."""
    if not leaves:
        return
    doc = part.read(leaves)
    metadata = doc.field("metadata")
    names = _texts(metadata.field("name"))
    namespaces = _texts(metadata.field("namespace"))
    lists: Any = doc
    for step in _CONTAINERS:
        lists = lists.field(step)
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_pylist()
    keys = _container_keys(flat).dictionary_encode()
    distinct: list[ContainerArgs | None] = [None] * len(keys.dictionary)
    containers: list[list[ContainerArgs]] = [[] for _ in range(len(lists))]
    for position, (parent, index) in enumerate(zip(parents, keys.indices.to_pylist(), strict=True)):
        if index is None:  # a null inside a command line: no key, decoded on its own
            found = _decoded(flat[position].as_py())
        else:
            found = distinct[index]
            if found is None:
                found = distinct[index] = _decoded(flat[position].as_py())
        if found is not None:
            containers[parent].append(found)
    for namespace, name, held in zip(namespaces, names, containers, strict=True):
        yield cluster, namespace or "", name or "", tuple(held)


def _container_keys(flat: pa.StructArray) -> pa.Array:
    """A text per container that differs where its name or command line does (null where
    a command line holds a null): JSON text holds no control characters, so \x1e and
    \x1f separate its parts and a list's elements."""
    parts = []
    for field in ("name", *_LINE):
        if flat.type.get_field_index(field) < 0:
            parts.append(pa.repeat("N", len(flat)) if len(flat) else pa.array([], pa.string()))
            continue
        values = flat.field(field)
        text = values if field == "name" else pc.binary_join(values, "\x1f")
        parts.append(
            pc.if_else(pc.is_null(values), "N", pc.binary_join_element_wise("V", text, ""))
        )
    return pc.binary_join_element_wise(*parts, "\x1e")


def _decoded(container: dict[str, Any] | None) -> ContainerArgs | None:
    """A container of the columns (JSON-text leaves) as the texts it holds: a JSON number
    as written, a null as `None` (what the JSON texts' reading gives)."""
    if container is None:
        return None
    line = [
        str(None if arg is None else json.loads(arg))
        for field in _LINE
        for arg in container.get(field) or []
    ]
    name = container.get("name")
    return str(None if name is None else json.loads(name)), tuple(line)


def _texts(leaves: pa.Array) -> list[str | None]:
    """JSON-text leaves that hold strings, as those strings (None for anything else): a
    plain one by slicing off its quotes, one with escapes by `json.loads`."""
    plain = pc.and_(
        pc.and_(pc.starts_with(leaves, '"'), pc.ends_with(leaves, '"')),
        pc.invert(pc.match_substring(leaves, "\\")),
    )
    sliced = pc.if_else(plain, pc.utf8_slice_codeunits(leaves, 1, -1), None).to_pylist()
    found = []
    for value, leaf in zip(sliced, leaves.to_pylist(), strict=True):
        if value is None and leaf is not None:
            decoded = json.loads(leaf)
            value = decoded if isinstance(decoded, str) else None
        found.append(value)
    return found


def _from_texts(
    latest: ibis.Table, clusters: list[str]
) -> Iterator[tuple[str, str, str, tuple[ContainerArgs, ...]]]:
    """The Deployments (`latest`) of these clusters that mention `--workers=`, their
    containers by JSON path in the engine (each distinct list of containers parsed once)."""
    chosen = ibis.or_(
        *((latest.cluster == c) | (latest.cluster.isnull() if not c else False) for c in clusters)
    )
    wanted = latest.filter(chosen & latest.object.contains(ODOO_DEPLOYMENT))
    containers = wanted.object.cast("json")["spec"]["template"]["spec"]["containers"]
    rows = wanted.select(
        "cluster", "namespace", "name", containers=containers.cast("string")
    ).to_pyarrow()
    parsed: dict[str | None, tuple[ContainerArgs, ...]] = {}
    for cluster, namespace, name, text in _tuples(rows):
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = _parsed(text)
        yield cluster or "", namespace or "", name, found


def _parsed(text: str | None) -> tuple[ContainerArgs, ...]:
    try:
        containers = json.loads(text or "")
    except ValueError:
        return ()
    if not isinstance(containers, list):
        return ()
    return tuple(
        (
            str(c.get("name")),
            tuple(str(a) for a in (*(c.get("command") or []), *(c.get("args") or []))),
        )
        for c in containers
        if isinstance(c, dict)
    )


def _tuples(table: pa.Table) -> list[tuple[Any, ...]]:
    """The table's rows as tuples (a column at a time: much faster than `to_pylist`)."""
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))
