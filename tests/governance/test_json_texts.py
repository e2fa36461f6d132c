"""Reading paths out of JSON texts must give exactly what walking the parsed documents
gives: the same values, the same absences, the same list elements and owners, whatever
shape the documents have (a list where a mapping was expected, nulls, text, keys with
dots and quotes)."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costplane.governance.inventory.columns import Column
from costplane.governance.inventory.json_texts import JsonDocuments, json_path, read_columns
from costplane.governance.inventory.paths import WILDCARD, Step, parse_path

KEYS = ["a", "b", "A", "x.y", 'q"t', "back\\slash", "0", "é"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([1.0, 2.5, -0.0, 10**30, "", "1", "a", "500m"]),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    ),
    max_leaves=12,
)
DOCUMENTS = st.lists(st.dictionaries(st.sampled_from(KEYS), JSON_VALUES, max_size=4), max_size=12)
STEPS: list[Step] = [*KEYS, 0, 1, -1, WILDCARD]
PATHS = st.lists(st.lists(st.sampled_from(STEPS), min_size=1, max_size=4).map(tuple), max_size=5)


def slots_of(column: Column) -> list[tuple[int, int, str]]:
    """(slot, owner row, value as canonical JSON) for every value the column holds."""
    slots = range(len(column.values)) if column.present is None else column.present.tolist()
    owners = list(range(column.slots)) if column.owner is None else column.owner.tolist()
    return [
        (slot, owners[slot], json.dumps(value, sort_keys=True))
        for slot, value in zip(slots, column.values, strict=True)
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=DOCUMENTS, paths=PATHS)
def test_reading_texts_equals_walking_the_documents(
    documents: list[dict[str, Any]], paths: list[tuple[Step, ...]]
) -> None:
    texts = pa.array([json.dumps(document) for document in documents], pa.string())
    read = read_columns(texts, set(paths))
    for steps in paths:
        walked = Column.of(documents).walk(steps)
        column = read[steps]
        assert (column.rows, column.slots) == (walked.rows, walked.slots), steps
        assert slots_of(column) == slots_of(walked), steps


def test_a_path_duckdb_cannot_say_is_left_to_the_documents() -> None:
    texts = pa.array([json.dumps({"": 1, "a": {"b": 2}})])
    steps = parse_path('"".x').steps
    assert json_path(steps) is None
    read = read_columns(texts, {steps, ("a", "b")})
    assert set(read) == {("a", "b")}
    assert read["a", "b"].values == [2]


def test_a_missing_text_is_an_empty_object_and_keeps_the_rows_aligned() -> None:
    texts = pa.array(['{"a": 1}', None, '{"a": 3}'], pa.string())
    [column] = read_columns(texts, {("a",)}).values()
    assert (column.present.tolist() if column.present is not None else None) == [0, 2]
    assert column.values == [1, 3]
    assert JsonDocuments(texts)[1] == {}


def test_documents_are_parsed_only_when_read() -> None:
    texts = pa.array([json.dumps({"n": n}) for n in range(5)])
    documents = JsonDocuments(texts)
    assert documents[3] == {"n": 3}
    assert documents[-1] == {"n": 4}
    assert documents._parsed.keys() == {3, 4}
    assert [d["n"] for d in documents] == [0, 1, 2, 3, 4]
