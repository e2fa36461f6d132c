"""Tables and indexes of one database: sizes, rows, scans and bloat, from the catalogue.

Sizes come from `pg_table_size` and `pg_relation_size`, which need no privilege
on the table. Row counts are the planner's estimate (`reltuples`, else the
statistics collector's live rows); a table small enough to count cheaply
(`EXACT_COUNT_MAX_BYTES`), and that the role may read, is counted exactly.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from psycopg import sql

from costplane.sources.postgres.bloat import (
    COLUMN_STATISTICS,
    HeapStatistics,
    bloat_bytes,
    fillfactor,
)
from costplane.sources.postgres.model import IndexSize, TableSize
from costplane.sources.postgres.reading import Reader

EXACT_COUNT_MAX_BYTES = 8 * 1024 * 1024
"""Tables up to this size (heap and TOAST) are counted with count(*): milliseconds each."""

USER_SCHEMAS = """
  n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
"""

TABLES = f"""
SELECT c.oid, n.nspname, c.relname, pg_table_size(c.oid), c.reltuples, st.n_live_tup,
       has_any_column_privilege(c.oid, 'SELECT')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_all_tables st ON st.relid = c.oid
WHERE c.relkind IN ('r', 'm') AND {USER_SCHEMAS}
ORDER BY n.nspname, c.relname
"""

INDEXES = f"""
SELECT n.nspname, i.relname, t.relname, pg_relation_size(i.oid), st.idx_scan,
       x.indisunique OR x.indisprimary OR x.indisexclusion
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = i.relnamespace
LEFT JOIN pg_stat_all_indexes st ON st.indexrelid = x.indexrelid
WHERE {USER_SCHEMAS}
ORDER BY n.nspname, i.relname
"""


def read_tables(reader: Reader) -> list[TableSize]:
    """Every user table and materialized view, with exact counts where cheap."""
    block_size = int(reader.value("SELECT current_setting('block_size')"))
    bloat = {oid: bloat_bytes(heap, block_size) for oid, heap in _heaps(reader).items()}
    tables = []
    for oid, schema, name, size, reltuples, live, readable in reader.rows(TABLES):
        estimate = int(reltuples) if reltuples >= 0 else (int(live) if live is not None else None)
        exact = None
        if readable and size <= EXACT_COUNT_MAX_BYTES:
            exact = reader.attempt(f"rows of {name}", partial(count_rows, reader, schema, name))
        rows, is_exact = (exact, True) if exact is not None else (estimate, False)
        tables.append(TableSize(schema, name, int(size), rows, is_exact, bloat.get(oid)))
    return tables


def count_rows(reader: Reader, schema: str, name: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {}.{}").format(
        sql.Identifier(schema), sql.Identifier(name)
    )
    return int(reader.value(query))


def _heaps(reader: Reader) -> dict[int, HeapStatistics]:
    return {row[0]: _heap(row) for row in reader.rows(COLUMN_STATISTICS)}


def _heap(row: tuple[Any, ...]) -> HeapStatistics:
    _, columns, with_stats, width, nulls, pages, tuples, heap, live, dead, options = row
    return HeapStatistics(
        columns=int(columns),
        columns_with_stats=int(with_stats),
        data_width=float(width),
        has_nulls=bool(nulls),
        relpages=int(pages),
        reltuples=float(tuples),
        heap_bytes=int(heap),
        live_rows=int(live),
        dead_rows=int(dead),
        fillfactor=fillfactor(options),
    )


def read_indexes(reader: Reader) -> list[IndexSize]:
    return [
        IndexSize(
            schema, name, table, int(size), None if scans is None else int(scans), bool(enforces)
        )
        for schema, name, table, size, scans, enforces in reader.rows(INDEXES)
    ]
