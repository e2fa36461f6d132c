"""Reading paths from a snapshot stored as columns must give what walking the parsed
documents gives: the same values in the same slots, the same list elements and owners,
whatever shape the documents have. A JSON null and a missing key may differ in how they
are held (a null value, or no value), never in what a test sees: both are absent."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.governance.conftest import NOW, deployment, policy_yaml
from tests.governance.test_json_texts import DOCUMENTS, PATHS, SCALARS

from costplane.governance import Inventory, PolicyEngine, ResourceRef, parse_policies
from costplane.governance.inventory.columns import Column
from costplane.governance.inventory.object_columns import Stored, read_parts, read_stored
from costplane.governance.inventory.paths import WILDCARD, Step, parse_path
from costplane.warehouse import columnar
from costplane.warehouse.columnar import MAX_FIELDS, ObjectColumns, object_columns

ABSENT = "<absent>"

SHAPE_KEYS = ["a", "b", "x.y", 'q"t', "0", "é"]
SHAPES = st.recursive(
    st.just("leaf"),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=1),
        st.dictionaries(st.sampled_from(SHAPE_KEYS), inner, min_size=1, max_size=3),
    ),
    max_leaves=8,
)
"""Shapes documents mostly follow, as objects of one kind do: so the columns hold
structs and lists, not only JSON text."""


def following(shape: object) -> st.SearchStrategy[object]:
    """A value of `shape`, now and then null or a scalar instead (one in 12), keys left out
    at random."""
    if isinstance(shape, dict):
        regular: st.SearchStrategy[object] = st.fixed_dictionaries(
            {}, optional={key: following(value) for key, value in shape.items()}
        )
    elif isinstance(shape, list):
        regular = st.lists(following(shape[0]), max_size=3)
    else:
        return SCALARS
    return st.integers(0, 11).flatmap(lambda n: SCALARS if n == 0 else regular)


@st.composite
def shaped(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[tuple[Step, ...]]]:
    """Documents of one shape, and paths that mostly follow it too."""
    shape = draw(st.dictionaries(st.sampled_from(SHAPE_KEYS), SHAPES, min_size=1, max_size=4))
    document = st.fixed_dictionaries(
        {}, optional={key: following(value) for key, value in shape.items()}
    )
    documents = draw(st.lists(document, min_size=1, max_size=10))
    paths = draw(st.lists(path_along(shape), min_size=1, max_size=6))
    return documents, paths


OFF_SHAPE: list[Step] = ["a", "A", 0, -1, WILDCARD]


@st.composite
def path_along(draw: st.DrawFn, shape: object) -> tuple[Step, ...]:
    steps: list[Step] = []
    while len(steps) < 6 and draw(st.integers(0, 5)):
        if isinstance(shape, dict) and draw(st.integers(0, 5)):
            key = draw(st.sampled_from(sorted(shape)))
            steps.append(key)
            shape = shape[key]
        elif isinstance(shape, list) and draw(st.integers(0, 5)):
            steps.append(draw(st.sampled_from([0, 1, -1, WILDCARD, WILDCARD])))
            shape = shape[0]
        else:
            steps.append(draw(st.sampled_from(OFF_SHAPE)))
            shape = None
    return tuple(steps) or ("a",)


def stored(documents: list[Any]) -> ObjectColumns | None:
    texts = pa.array([json.dumps(document) for document in documents], pa.string())
    found = object_columns(texts)
    return ObjectColumns(*found) if found is not None else None


def seen(column: Column) -> tuple[int, int, list[int], list[str]]:
    """What a test sees: rows, slots, each slot's owner and its value (None is absent)."""
    dense: list[object] = [None] * column.slots
    slots = range(len(column.values)) if column.present is None else column.present.tolist()
    for slot, value in zip(slots, column.values, strict=True):
        dense[slot] = value
    owners = list(range(column.slots)) if column.owner is None else column.owner.tolist()
    values = [ABSENT if v is None else json.dumps(v, sort_keys=True) for v in dense]
    return column.rows, column.slots, owners, values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=DOCUMENTS, paths=PATHS)
def test_reading_columns_equals_walking_the_documents(
    documents: list[dict[str, Any]], paths: list[tuple[Step, ...]]
) -> None:
    read_as_walked(documents, paths)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_reading_columns_of_shaped_documents_equals_walking_them(data: st.DataObject) -> None:
    read_as_walked(*data.draw(shaped()))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_structure_inferred_a_slice_at_a_time_is_as_exact(data: st.DataObject) -> None:
    """Structures of slices merge: an empty object in one slice and fields in another, or
    a field of two types, keep every value."""
    with patch.object(columnar, "SHAPE_ROWS", 2):
        read_as_walked(*data.draw(shaped()))


def test_merging_structures_keeps_what_either_has() -> None:
    one = {"a": "VARCHAR", "l": ["NULL"], "o": {"x": "UBIGINT"}, "e": "JSON"}
    other = {"a": "UBIGINT", "l": [{"y": "BOOLEAN"}], "o": {"z": "NULL"}, "e": {"k": "VARCHAR"}}
    assert columnar.merged(one, other) == {
        "a": "JSON",  # text here, a number there
        "l": [{"y": "BOOLEAN"}],
        "o": {"x": "UBIGINT", "z": "NULL"},
        "e": "JSON",  # an empty object, or a conflict: kept whole either way
    }
    assert columnar.merged("NULL", ["VARCHAR"]) == ["VARCHAR"]


def read_as_walked(documents: list[dict[str, Any]], paths: list[tuple[Step, ...]]) -> None:
    columns = stored(documents)
    assume(columns is not None)
    assert columns is not None
    read = read_stored(columns, set(paths))
    for steps in paths:
        assert seen(read[steps]) == seen(Column.of(documents).walk(steps)), steps


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_reading_parts_in_turn_equals_walking_all_their_documents(data: st.DataObject) -> None:
    """Each cluster's snapshot of a kind is one part, columns or (older loads) texts."""
    documents, paths = data.draw(shaped())
    cuts = sorted(data.draw(st.lists(st.integers(0, len(documents)), max_size=2)))
    pieces = [documents[a:b] for a, b in zip([0, *cuts], [*cuts, len(documents)], strict=True)]
    parts: list[Stored] = []
    for piece in pieces:
        columns = stored(piece) if data.draw(st.booleans()) else None
        texts = pa.array([json.dumps(document) for document in piece], pa.string())
        parts.append(columns if columns is not None else texts)
    read = read_parts(parts, set(paths))
    for steps in paths:
        assert seen(read[steps]) == seen(Column.of(documents).walk(steps)), steps


def test_leaves_keep_their_json_whatever_type_each_document_gives() -> None:
    documents = [{"n": 1}, {"n": "1"}, {"n": 1.5}, {"n": None}, {"n": [1, "a"]}, {"n": {"a": 1}}]
    columns = stored(documents)
    assert columns is not None
    [column] = read_stored(columns, [("n",)]).values()
    assert seen(column)[3] == ["1", '"1"', "1.5", ABSENT, '[1, "a"]', '{"a": 1}']


def test_a_path_ending_on_an_object_reads_the_text() -> None:
    documents = [{"tls": {"secretName": "x"}}, {"tls": {}}, {"tls": None}, {}]
    columns = stored(documents)
    assert columns is not None
    assert pa.types.is_struct(columns.structure.field("tls").type)
    [column] = read_stored(columns, [("tls",)]).values()
    assert column.values[:2] == [{"secretName": "x"}, {}]  # {} is empty, not absent


def test_keys_differing_in_case_many_keys_and_dotted_keys_stay_exact() -> None:
    many = {f"k{n}": str(n) for n in range(MAX_FIELDS + 1)}
    documents = [
        {"labels": {"App": "a"}, "map": many, "annotations": {"a.b/c": "1", "a": {"b/c": "2"}}},
        {"labels": {"app": "b"}, "map": {"k0": "x"}, "annotations": {"a": {"b/c": "3"}}},
    ]
    columns = stored(documents)
    assert columns is not None
    assert str(columns.structure.field("labels").type) == "string"  # JSON text, not a struct
    dotted = parse_path('annotations."a.b/c"').steps
    paths = [
        ("labels", "app"),
        ("labels", "App"),
        ("map", "k0"),
        dotted,
        ("annotations", "a", "b/c"),
    ]
    read = read_stored(columns, paths)
    assert [seen(read[p])[3] for p in paths] == [
        [ABSENT, '"b"'], ['"a"', ABSENT], ['"0"', '"x"'], ['"1"', ABSENT], ['"2"', '"3"']
    ]  # fmt: skip


def test_wildcards_keep_owners_and_lists_of_leaves_are_read_whole() -> None:
    documents = [
        {"c": [{"cpu": "1"}, {"mem": "2"}], "ports": [80, None]},
        {"c": None, "ports": []},
        {"c": [{"cpu": "3"}]},
    ]
    columns = stored(documents)
    assert columns is not None
    read = read_stored(columns, [("c", WILDCARD, "cpu"), ("ports",), ("c", -1, "cpu")])
    assert seen(read["c", WILDCARD, "cpu"]) == (3, 3, [0, 0, 2], ['"1"', ABSENT, '"3"'])
    assert read["ports",].values == [[80, None], []]
    assert seen(read["c", -1, "cpu"])[3] == [ABSENT, ABSENT, '"3"']


def test_texts_that_are_not_objects_make_no_columns() -> None:
    assert object_columns(pa.array(['{"a": 1}', "[1]"])) is None
    assert object_columns(pa.array([], pa.string())) is None
    assert object_columns(pa.array(["{}", "{}"])) is None


@pytest.mark.parametrize("kept", ["texts", "columns"])
def test_an_inventory_of_stored_documents_finds_what_one_of_objects_finds(kept: str) -> None:
    objects = [
        deployment(f"d{i}", cpu=cpu, replicas=i % 3)
        for i, cpu in enumerate(["100m", "3", "2500m", "2", "4", "4000m"])
    ]
    text = policy_yaml(
        "  - {key: 'spec.template.spec.containers[0].resources.requests.cpu',"
        " value_type: quantity, op: gt, value: 2}\n"
        "  - {key: 'spec.template.spec.containers[*].image', op: regex, value: '.*'}\n"
        "  - {key: spec.replicas, op: ge, value: 1}\n"
        "  - {key: spec.template.spec, op: present}"
    )
    engine = PolicyEngine(parse_policies(text, "t.yaml"))
    texts = pa.array([json.dumps(o) for o in objects])
    part = stored(objects) if kept == "columns" else texts
    assert part is not None
    inventory = Inventory()
    refs = [ResourceRef("Deployment", o["metadata"]["name"], "ns") for o in objects]
    inventory.add_stored("Deployment", [part], refs=refs)
    [from_stored] = engine.evaluate(inventory, now=NOW)
    [from_objects] = engine.evaluate(Inventory.from_objects(objects), now=NOW)
    names = [m.resource.name for m in from_stored.matches]
    assert names == [m.resource.name for m in from_objects.matches] == ["d1", "d2", "d4", "d5"]
    assert from_stored.documents == [objects[1], objects[2], objects[4], objects[5]]
