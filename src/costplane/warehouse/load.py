"""What a load is, and the checks that need no database.

A load is the unit of idempotence: the rows one source reported for one scope
and one period of one fact table. Its key is (table, source, scope, period); a
later load with the same key replaces it, one whose period overlaps a different
earlier period is refused (`overlapping`).
"""

from __future__ import annotations

import pathlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from costplane.errors import InputError
from costplane.warehouse.tables import FactTable


@dataclass(frozen=True)
class Load:
    """The rows one source reported for one scope and period of one fact table.

    `period_end` is exclusive; `period_end == period_start` makes the load an
    instant (a snapshot taken then). Times are naive UTC; aware ones are converted.
    `data` is an Arrow table, or the path of a Parquet file that is streamed.
    `origin` names what the user gave (a file) in messages; a Parquet `data`
    names itself when it is empty.
    """

    table: str
    source: str
    scope: str
    period_start: datetime
    period_end: datetime
    data: pa.Table | pathlib.Path
    origin: str = ""

    @property
    def key(self) -> tuple[str, str, str, datetime, datetime]:
        return (self.table, self.source, self.scope, self.period_start, self.period_end)

    @property
    def is_instant(self) -> bool:
        return self.period_start == self.period_end

    def describe(self) -> str:
        """The load as a user would name it in a message."""
        return f"{self.table} from {self.source} for {self.scope} {period_text(self)}"

    @property
    def named_origin(self) -> str:
        """The file the rows came from, as a message names it; empty when unknown."""
        if self.origin:
            return self.origin
        return str(self.data) if isinstance(self.data, pathlib.Path) else ""


@dataclass(frozen=True)
class LoadResult:
    """What one load did: the rows it wrote and those of the earlier load it replaced."""

    load_id: int
    table: str
    source: str
    scope: str
    period_start: datetime
    period_end: datetime
    rows_written: int
    rows_replaced: int
    replaced_load_id: int | None
    restored_from: int | None = None

    @classmethod
    def of(
        cls,
        key: Load | LoadRecord,
        load_id: int,
        written: int,
        replaced: LoadRecord | None,
        rows_replaced: int,
        restored_from: int | None = None,
    ) -> LoadResult:
        """What writing `key`'s rows as `load_id` did, in place of `replaced` (if any)."""
        return cls(
            load_id=load_id,
            table=key.table,
            source=key.source,
            scope=key.scope,
            period_start=key.period_start,
            period_end=key.period_end,
            rows_written=written,
            rows_replaced=rows_replaced,
            replaced_load_id=None if replaced is None else replaced.load_id,
            restored_from=restored_from,
        )


@dataclass(frozen=True)
class LoadRecord:
    """One entry of the `loads` registry: which load wrote which rows, and when."""

    load_id: int
    table: str
    source: str
    scope: str
    period_start: datetime
    period_end: datetime
    rows: int
    loaded_at: datetime
    replaced_load_id: int | None = None
    restored_from: int | None = None

    @property
    def is_instant(self) -> bool:
        return self.period_start == self.period_end

    def describe(self) -> str:
        return f"{self.table} from {self.source} for {self.scope} {period_text(self)}"


@dataclass(frozen=True)
class ReplacedLoad:
    """A load a later one replaced, kept with its rows: `Warehouse.restore` brings it back."""

    record: LoadRecord
    replaced_by: int
    replaced_at: datetime

    @property
    def load_id(self) -> int:
        return self.record.load_id


def period_text(period: Load | LoadRecord) -> str:
    """`[start, end)` for a period, `at t` for an instant, in ISO format."""
    if period.is_instant:
        return f"at {period.period_start.isoformat()}"
    return f"[{period.period_start.isoformat()}, {period.period_end.isoformat()})"


def naive_utc(moment: datetime, what: str) -> datetime:
    """`moment` as naive UTC: the one form every engine stores the same way."""
    if not isinstance(moment, datetime):
        raise InputError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def data_schema(data: pa.Table | pathlib.Path) -> pa.Schema:
    """The Arrow schema of a load's data; a Parquet file's is read from its footer."""
    if isinstance(data, pa.Table):
        return data.schema
    if isinstance(data, pathlib.Path):
        if not data.is_file():
            raise InputError(f"{data}: no such Parquet file")
        try:
            return pq.read_schema(data)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{data}: not a readable Parquet file ({exc})") from None
    raise InputError(
        f"load data must be a pyarrow.Table or a pathlib.Path, not {type(data).__name__}"
    )


def checked(load: Load, tables: Mapping[str, FactTable]) -> Load:
    """The load with its period in naive UTC, or an InputError saying what is wrong.

    Checks what can be known without reading the rows: the table exists, the
    period runs forward, and every data column is a declared column.
    """
    table = tables.get(load.table)
    if table is None:
        raise InputError(f"unknown fact table {load.table!r}; known: {', '.join(sorted(tables))}")
    for name, value in (("source", load.source), ("scope", load.scope)):
        if not isinstance(value, str) or not value:
            raise InputError(f"a load into {load.table} needs a non-empty {name}")
    start = naive_utc(load.period_start, "period_start")
    end = naive_utc(load.period_end, "period_end")
    if end < start:
        raise InputError(
            f"{load.table}: period_end {end.isoformat()} is before period_start {start.isoformat()}"
        )
    columns = list(data_schema(load.data).names)
    repeated = sorted(name for name, n in Counter(columns).items() if n > 1)
    if repeated:
        raise InputError(f"{load.table}: data has column {repeated[0]!r} more than once")
    unknown = [name for name in columns if name not in table.schema]
    if unknown:
        raise InputError(
            f"{load.table} has no column {unknown[0]!r}; declared: {', '.join(table.schema.names)}"
        )
    return replace(load, period_start=start, period_end=end)


def unique_keys(loads: Sequence[Load]) -> None:
    """Refuse a batch that loads the same key twice: which one should win is unclear."""
    seen: set[tuple[str, str, str, datetime, datetime]] = set()
    for load in loads:
        if load.key in seen:
            raise InputError(f"the batch loads {load.describe()} twice")
        seen.add(load.key)


def overlapping(load: Load | LoadRecord, earlier: LoadRecord) -> bool:
    """Whether `earlier` covers part of `load`'s period without being the same period.

    Only two proper periods can overlap: an instant conflicts with nothing but
    the same instant, and the same period is a replacement, not a conflict.
    """
    if load.is_instant or earlier.is_instant:
        return False
    if (load.period_start, load.period_end) == (earlier.period_start, earlier.period_end):
        return False
    return load.period_start < earlier.period_end and earlier.period_start < load.period_end
