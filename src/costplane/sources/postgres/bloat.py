"""How much of a table's heap is empty space: an estimate from statistics alone.

The method is the one check_postgres and the widely used ioguix query apply:
from `pg_stats` (average width and null share of every column) the size of one
row is known (tuple header, null bitmap and data, aligned to 8 bytes, plus its
4-byte line pointer); with the page size, the page header and the table's
fillfactor that gives rows per page, so `reltuples` rows need a number of pages;
what `relpages` holds beyond that is bloat. It reads no table data and costs
one catalogue query, but it is an estimate: it is only as fresh as the last
ANALYZE and ignores alignment padding between columns.

`pg_stats` only shows the columns the role may SELECT. Where some columns are
hidden (a least-privilege role) the estimate falls back to the dead-row share of
the heap (`n_dead_tup` of `pg_stat_all_tables`), which sees rows not yet vacuumed
but not the space vacuum already freed. A table never analyzed has no estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_HEADER_BYTES = 24
TUPLE_HEADER_BYTES = 23
LINE_POINTER_BYTES = 4
ALIGNMENT = 8

COLUMN_STATISTICS = """
SELECT c.oid,
       count(a.attnum),
       count(s.attname),
       coalesce(sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)), 0),
       coalesce(bool_or(s.null_frac > 0), false),
       c.relpages,
       c.reltuples,
       pg_relation_size(c.oid, 'main'),
       coalesce(st.n_live_tup, 0),
       coalesce(st.n_dead_tup, 0),
       c.reloptions
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_stats s
       ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
LEFT JOIN pg_stat_all_tables st ON st.relid = c.oid
WHERE c.relkind IN ('r', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND n.nspname NOT LIKE 'pg_temp%'
GROUP BY c.oid, st.n_live_tup, st.n_dead_tup
"""


@dataclass(frozen=True)
class HeapStatistics:
    """One table's column statistics and page counts, as COLUMN_STATISTICS reads them."""

    columns: int
    columns_with_stats: int
    data_width: float  # average bytes of data per row
    has_nulls: bool
    relpages: int
    reltuples: float  # -1: never analyzed
    heap_bytes: int
    live_rows: int
    dead_rows: int
    fillfactor: int


def aligned(size: float) -> int:
    return int(math.ceil(size / ALIGNMENT) * ALIGNMENT)


def expected_pages(stats: HeapStatistics, block_size: int) -> int:
    """Pages the table's rows would fill if it were freshly packed at its fillfactor."""
    bitmap = math.ceil(stats.columns / 8) if stats.has_nulls else 0
    row = aligned(TUPLE_HEADER_BYTES + bitmap) + aligned(stats.data_width) + LINE_POINTER_BYTES
    usable = (block_size - PAGE_HEADER_BYTES) * stats.fillfactor / 100
    per_page = max(1, int(usable // row))
    return math.ceil(stats.reltuples / per_page)


def bloat_bytes(stats: HeapStatistics, block_size: int) -> int | None:
    """Estimated empty heap bytes, or None when the table was never analyzed."""
    if stats.reltuples < 0:
        return None
    if stats.reltuples == 0:
        return stats.relpages * block_size
    if stats.columns_with_stats == stats.columns:
        extra_pages = stats.relpages - expected_pages(stats, block_size)
        return max(0, extra_pages) * block_size
    rows = stats.live_rows + stats.dead_rows
    if rows == 0:
        return 0
    return round(stats.heap_bytes * stats.dead_rows / rows)


def fillfactor(options: list[str] | None) -> int:
    """The table's fillfactor storage parameter (100 unless set)."""
    for option in options or []:
        key, _, value = option.partition("=")
        if key == "fillfactor" and value.isascii() and value.isdigit():
            return int(value)
    return 100
