"""Resources kept as JSON text, read without turning every document into Python objects.

The warehouse keeps each Kubernetes object as its JSON text. Parsing 100,000 of
them with `json.loads` costs more than judging them, so a batch of texts is read
the other way round: DuckDB parses each document once, in C, and pulls out every
path the policies on that kind read (`json_extract` with a list of paths); only
the values reached are decoded in Python, once per distinct value. A path with
`[*]` is read up to its first `[*]` that way and walked further in Python, with
the same `Column` steps dictionaries use, so both give the same answers (the
engine's property test runs both).

`JsonDocuments` gives the documents themselves, each parsed when first asked
for: a fact, a savings expression or a resource's identity reads a few.
Texts must be single JSON objects as `json.dumps` writes them: with duplicate
keys DuckDB reads the first and `json.loads` the last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, overload

import duckdb
import numpy as np
import pyarrow as pa

from costplane.governance.inventory.columns import Column
from costplane.governance.inventory.paths import WILDCARD, Step

Path = tuple[Step, ...]


class JsonDocuments(Sequence[Mapping[str, Any]]):
    """The documents of a batch of JSON texts, each parsed on first read and kept."""

    def __init__(self, texts: pa.Array | Callable[[], pa.Array], length: int | None = None):
        """`texts`, or a function giving them when a document is first read (`length`
        then says how many there are)."""
        found = len(texts) if isinstance(texts, pa.Array) else length
        if found is None:
            raise ValueError("texts given by a function need their length")
        self._texts, self._length = texts, found
        self._parsed: dict[int, Mapping[str, Any]] = {}

    @property
    def texts(self) -> pa.Array:
        if not isinstance(self._texts, pa.Array):
            self._texts = self._texts()
        return self._texts

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[row] for row in range(*index.indices(len(self)))]
        row = index + len(self) if index < 0 else index
        found = self._parsed.get(row)
        if found is None:
            text = self.texts[row].as_py()
            found = json.loads(text) if text is not None else {}
            self._parsed[row] = found
        return found

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return (self[row] for row in range(len(self)))


def json_path(steps: Path) -> str | None:
    """The DuckDB JSON path of `steps` (no `[*]`), or None when one cannot say it exactly
    (an empty key)."""
    parts = ["$"]
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif isinstance(step, str) and step:
            parts.append('."' + step.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            return None
    return "".join(parts)


def read_columns(texts: pa.Array, paths: Collection[Path]) -> dict[Path, Column]:
    """The column of each path that can be read from the texts; the others are left out
    (the caller walks the parsed documents for those)."""
    split: dict[Path, tuple[Path, Path]] = {}
    said: dict[Path, str] = {}
    for steps in paths:
        cut = next((at for at, step in enumerate(steps) if step is WILDCARD), len(steps))
        prefix = steps[:cut]
        text = said.get(prefix) or json_path(prefix)
        if text is not None:
            said[prefix] = text
            split[steps] = (prefix, steps[cut:])
    if not said:
        return {}
    prefixes = sorted(said, key=repr)
    fragments = _extract(texts, [said[prefix] for prefix in prefixes])
    read = {prefix: _decoded(array) for prefix, array in zip(prefixes, fragments, strict=True)}
    return {steps: read[prefix].walk(rest) for steps, (prefix, rest) in split.items()}


@cache
def _scratch() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the process, on one thread (measured: more threads only
    spend more CPU); each read takes a connection of its own to it (`cursor()`, ~2 ms, its
    registrations its own) where a new database costs ~7 ms."""
    database = duckdb.connect()
    database.execute("SET threads = 1")
    return database


def _extract(texts: pa.Array, paths: list[str]) -> list[pa.Array]:
    """One JSON fragment (or null where the path leads nowhere) per text and path, every
    text parsed once."""
    listed = ", ".join("'" + path.replace("'", "''") + "'" for path in paths)
    connection = _scratch().cursor()
    try:
        connection.register("inventory_texts", pa.table({"object": texts}))
        table = connection.execute(
            # a missing text reads as {} (as JsonDocuments gives it), keeping rows aligned
            f"SELECT json_extract(coalesce(object, '{{}}'), [{listed}]) AS found "
            "FROM inventory_texts"
        ).to_arrow_table()
    finally:
        connection.close()
    found = table.column("found").combine_chunks()
    flat = found.flatten()
    width = len(paths)
    return [flat.take(np.arange(at, len(flat), width)) for at in range(width)]


def _decoded(fragments: pa.Array) -> Column:
    """The fragments as a column; null ones absent."""
    rows = len(fragments)
    present = None
    if fragments.null_count:
        valid = fragments.is_valid().to_numpy(zero_copy_only=False)
        present = np.flatnonzero(valid)
        fragments = fragments.drop_null()
    return Column(rows, rows, None, present, decoded(fragments))


def decoded(texts: pa.Array) -> list[object]:
    """JSON texts (no nulls) as Python values, each distinct text decoded once."""
    encoded = texts.dictionary_encode()
    distinct = np.empty(len(encoded.dictionary), dtype=object)
    for at, text in enumerate(encoded.dictionary.to_pylist()):
        distinct[at] = json.loads(text)  # one by one: numpy would unpack decoded lists
    values: list[object] = distinct[encoded.indices.to_numpy(zero_copy_only=False)].tolist()
    return values
