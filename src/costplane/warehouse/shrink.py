"""The shrink guard: a reload that would replace a load with materially less is refused.

A file cut at a row boundary is a valid file: every row checks, and loading
it replaces the whole period it covers. So before replacing, each load is
compared with the load it would replace: more than SHRINK_LIMIT fewer rows,
or (for tables with an amount, `MEASURES`) more than SHRINK_LIMIT less of that
amount, refuses the whole batch, naming the file, the period and what shrank by
how much. The caller can insist (`allow_shrink`, `--replace` on the command
line); the replaced load is kept either way (`kept.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pyarrow as pa
from ibis.backends.sql.datatypes import DuckDBType

from costplane.errors import InputError
from costplane.warehouse.load import Load, LoadRecord, data_schema
from costplane.warehouse.registry import same_key
from costplane.warehouse.sql import Session, quoted
from costplane.warehouse.staging import Staging, source_sql
from costplane.warehouse.tables import MONEY

SHRINK_LIMIT = Decimal("0.10")
"""A reload may hold at most 10 % fewer rows, and 10 % less of its amount, than the
load it replaces: enough for a late credit or a pod that came and went, far less than
a file cut short or a source that lost data."""

MEASURES = {"billing_lines": ("billed_cost", "billed cost")}
"""The amount a reload of a table must not lose: column and the name a message gives it."""


@dataclass(frozen=True)
class Measure:
    """How much a load holds: its rows, and its amount when its table has one."""

    rows: int
    amount: Decimal | None


@dataclass(frozen=True)
class Shrink:
    """A reload that holds materially less than the load it would replace."""

    load: Load
    earlier: LoadRecord
    new: Measure
    old: Measure

    def __str__(self) -> str:
        origin = self.load.named_origin
        where = f"{origin}: " if origin else ""
        parts = []
        if shrank(self.new.rows, self.old.rows):
            parts.append(
                f"{self.new.rows:,} rows where load {self.earlier.load_id} holds "
                f"{self.old.rows:,} ({change(self.new.rows, self.old.rows)})"
            )
        new, old = self.new.amount, self.old.amount
        if new is not None and old is not None and shrank(new, old):
            parts.append(
                f"{MEASURES[self.load.table][1]} {amount_text(new)} where it holds "
                f"{amount_text(old)} ({change(new, old)})"
            )
        return f"{where}{self.load.describe()} would shrink: {'; '.join(parts)}"


class LoadShrankError(InputError):
    """One or more reloads hold materially less than the loads they would replace.

    One shrink is one line; several are a line each, then one saying what to do."""

    def __init__(self, shrinks: list[Shrink]) -> None:
        self.shrinks = shrinks
        limit = f"a reload may hold at most {SHRINK_LIMIT * 100:.0f} % less"
        if len(shrinks) == 1:
            kept = f"load {shrinks[0].earlier.load_id} is kept and can be restored"
            self._lines = [
                f"{shrinks[0]}. Nothing written: {limit}; --replace loads it anyway ({kept})"
            ]
        else:
            self._lines = [str(s) for s in shrinks] + [
                f"{len(shrinks)} loads would shrink; nothing written: {limit}; --replace "
                "loads them anyway (the loads they replace are kept and can be restored)"
            ]
        super().__init__("\n".join(self._lines))

    def lines(self) -> list[str]:
        return list(self._lines)


def shrank(new: int | Decimal, old: int | Decimal) -> bool:
    """Whether `new` is more than SHRINK_LIMIT below a positive `old`."""
    return old > 0 and Decimal(new) < Decimal(old) * (1 - SHRINK_LIMIT)


def change(new: int | Decimal, old: int | Decimal) -> str:
    percent = (Decimal(new) - Decimal(old)) / Decimal(old) * 100
    return f"{percent:+.1f} %"


def amount_text(amount: Decimal) -> str:
    """An exact amount without trailing zeros, thousands grouped: 13,211.1641715065."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, dot, fraction = text.partition(".")
    return f"{int(whole):,}{dot}{fraction}" if whole not in ("", "-") else text


def amount_sql(name: str, given: pa.DataType) -> str:
    """The data's amount as an exact decimal; a float through its shortest text, like ingest."""
    sql_type = DuckDBType.to_string(MONEY)
    column = quoted(name)
    if pa.types.is_floating(given):
        column = f"CAST({column} AS VARCHAR)"
    return f"TRY_CAST({column} AS {sql_type})"


def new_measure(staging: Staging, load: Load) -> Measure:
    """Rows and amount of the load's data, read by the staging DuckDB."""
    schema = data_schema(load.data)
    measured = MEASURES.get(load.table)
    amount = "NULL"
    if measured is not None and measured[0] in schema.names:
        amount = f"sum({amount_sql(measured[0], schema.field(measured[0]).type)})"
    try:
        row = staging.con.execute(
            f"SELECT count(*), {amount} FROM {source_sql(load.data)}"
        ).fetchone()
    except duckdb.Error:  # a value no engine can store: the insert names it
        row = None
    if row is None:
        return Measure(0, None)
    rows, total = row
    return Measure(int(rows), None if total is None or measured is None else Decimal(total))


def old_measure(session: Session, record: LoadRecord) -> Measure:
    """Rows and amount of a registered load, read from the warehouse."""
    measured = MEASURES.get(record.table)
    if measured is None:
        return Measure(record.rows, None)
    ((total,),) = session.rows(
        f'SELECT sum({quoted(measured[0])}) FROM {quoted(record.table)} WHERE "load_id" = $1',
        [record.load_id],
    )
    return Measure(record.rows, None if total is None else Decimal(total))


def shrink_of(session: Session, staging: Staging, load: Load, earlier: LoadRecord) -> Shrink | None:
    """The shrink if `load` would replace `earlier` with materially less, else None."""
    old = old_measure(session, earlier)
    new = new_measure(staging, load)
    rows = shrank(new.rows, old.rows)
    amount = new.amount is not None and old.amount is not None and shrank(new.amount, old.amount)
    return Shrink(load, earlier, new, old) if rows or amount else None


def refuse_shrinks(session: Session, staging: Staging, loads: Sequence[Load]) -> None:
    """Raise LoadShrankError naming every load of the batch that would shrink."""
    shrinks = []
    for load in loads:
        earlier = same_key(session, load)
        if earlier is not None:
            found = shrink_of(session, staging, load, earlier)
            if found is not None:
                shrinks.append(found)
    if shrinks:
        raise LoadShrankError(shrinks)
