"""Kubernetes objects as columns: the form `costplane govern` reads a snapshot in.

`inventory_snapshots` keeps every object as JSON text, which any engine holds and
any reader parses. Parsing 100,000 objects costs more than judging them, so each
load of Kubernetes objects also writes, per kind, the same objects as columns
(`inventory_columns`): a Parquet file with one nested column, `doc`, shaped by
the structure DuckDB infers from the objects themselves (`json_group_structure`),
and a Parquet file of their texts in the same order. A reader decodes only the
leaves a policy reads, and the texts only when it needs a document whole.

The inferred structure is made exact before it is used:
- every scalar (and null) stays its JSON text: a field that is a number in one
  object and text in another keeps each as written (DuckDB would make both text);
- an object whose keys differ only in case (DuckDB's fields ignore case), has an
  empty key, or has more than MAX_FIELDS keys across the kind (a map such as
  annotations over a whole fleet) stays JSON text whole;
- a field that is an object in one document and a list or scalar in another is
  JSON text, as DuckDB infers it.
A JSON null and a missing key both read as null: policies treat them alike.

Both files are stored base64-encoded, as text: every engine's bulk path
(DuckDB's INSERT from Arrow, PostgreSQL's COPY as CSV) carries text unchanged.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache, cached_property, reduce

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

MAX_FIELDS = 256
"""An object with more keys across a kind is kept as JSON text: its keys are data."""

SHAPE_ROWS = 10_000
"""Objects whose structure DuckDB infers at once: its aggregate holds every document it
reads (about 280 MB for 50,000 Deployments), so it reads them a slice at a time."""

ELEMENT = "list.element"
"""How Parquet names the element of a list in a column's path."""


@cache
def _scratch() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the process: each call takes a connection of its own to it
    (`cursor()`, ~2 ms, its registrations its own), where a new database costs ~7 ms, paid
    once per kind and load."""
    return duckdb.connect()


def object_columns(texts: pa.Array) -> tuple[str, str] | None:
    """The (doc, texts) Parquet files, base64, of objects given as JSON texts; None when
    they make no table (no texts, or one that is not an object)."""
    if len(texts) == 0 or texts.null_count:
        return None
    with _scratch().cursor() as connection:
        shapes = []
        for start in range(0, len(texts), SHAPE_ROWS):
            connection.register("objects", pa.table({"object": texts.slice(start, SHAPE_ROWS)}))
            row = connection.execute(
                "SELECT json_group_structure(json(object)) FROM objects"
            ).fetchone()
            shapes.append(json.loads(row[0]) if row and row[0] else "JSON")
        structure = exact_structure(reduce(merged, shapes))
        connection.register("objects", pa.table({"object": texts}))
        if not isinstance(structure, dict):
            return None
        literal = json.dumps(structure).replace("'", "''")
        # DuckDB keeps the rows of a scan in order (preserve_insertion_order)
        doc = connection.execute(
            f"SELECT json_transform(object, '{literal}') AS doc FROM objects"
        ).to_arrow_table()
    return _parquet(doc), _parquet(pa.table({"object": texts}))


def merged(one: object, other: object) -> object:
    """The structure two inferred structures both fit. A "JSON" (which DuckDB infers for an
    empty object as for a conflict) absorbs whatever it meets: exact, if slower to read."""
    if one == other or other == "NULL":
        return one
    if one == "NULL":
        return other
    if isinstance(one, dict) and isinstance(other, dict):
        keys = {**one, **other}
        return {key: merged(one.get(key, "NULL"), other.get(key, "NULL")) for key in keys}
    if isinstance(one, list) and isinstance(other, list):
        return [merged(one[0], other[0])]
    return "JSON"


def exact_structure(node: object) -> object:
    """DuckDB's inferred structure, with every leaf kept as JSON and every object whose
    fields a table cannot hold exactly kept as JSON whole."""
    if isinstance(node, dict):
        keys = list(node)
        folded = {key.casefold() for key in keys}
        if not keys or "" in node or len(folded) < len(keys) or len(keys) > MAX_FIELDS:
            return "JSON"
        return {key: exact_structure(value) for key, value in node.items()}
    if isinstance(node, list) and len(node) == 1:
        return [exact_structure(node[0])]
    return "JSON"


def _parquet(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return base64.b64encode(sink.getvalue().to_pybytes()).decode("ascii")


@dataclass
class ObjectColumns:
    """One kind's objects of one snapshot, as `object_columns` stored them."""

    doc: str
    texts: str

    @cached_property
    def _file(self) -> pq.ParquetFile:
        return pq.ParquetFile(pa.BufferReader(base64.b64decode(self.doc)))

    def __len__(self) -> int:
        return int(self._file.metadata.num_rows)

    @property
    def structure(self) -> pa.StructType:
        """The type of `doc`: struct fields, lists, and JSON text (string) leaves."""
        found = self._file.schema_arrow.field("doc").type
        assert isinstance(found, pa.StructType)
        return found

    def read(self, leaves: list[tuple[str, ...]]) -> pa.StructArray:
        """`doc` with only the given leaves (paths of field names, ELEMENT for a list's
        element); a leaf's path may name a node, whose every leaf is then read."""
        names = sorted({".".join(("doc", *leaf)) for leaf in leaves})
        column = self._file.read(columns=names).column("doc").combine_chunks()
        assert isinstance(column, pa.StructArray)
        return column

    def objects(self) -> pa.Array:
        """The objects' JSON texts, in the order of `doc`."""
        return self._objects

    @cached_property
    def _objects(self) -> pa.Array:
        table = pq.read_table(pa.BufferReader(base64.b64decode(self.texts)))
        return table.column("object").combine_chunks()
