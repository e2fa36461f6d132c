"""Writing loads into the warehouse and remembering the run in the state store.

Every source ends here: the warehouse writes all loads in one transaction, and
the state store records each load as it ended (ok, or failed with the error),
which `costplane ingest history` and later `costplane sources status` show. A
restored load is recorded the same way: it is a load too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import Engine

from costplane.errors import CostplaneError
from costplane.state import IngestRun, record_runs
from costplane.warehouse import Load, LoadResult, Warehouse


def ingest(
    warehouse: Warehouse, state: Engine, loads: Sequence[Load], *, allow_shrink: bool = False
) -> list[LoadResult]:
    """Load and record; a reload that would shrink a load is refused unless `allow_shrink`."""
    started = _now()
    try:
        results = warehouse.ingest(loads, allow_shrink=allow_shrink)
    except CostplaneError as error:
        record_runs(state, [_failed(load, started, error) for load in loads])
        raise
    finished = _now()
    record_runs(state, [_succeeded(result, started, finished) for result in results])
    return results


def open_and_ingest(
    open_warehouse: Callable[[], Warehouse],
    state: Engine,
    loads: Sequence[Load],
    *,
    allow_shrink: bool = False,
) -> list[LoadResult]:
    """Open the warehouse, load and record: a load that could not even start (the
    warehouse held by another process past the wait, or unreachable) is recorded as
    failed too, so `ingest history` shows every attempt."""
    started = _now()
    try:
        warehouse = open_warehouse()
    except CostplaneError as error:
        record_runs(state, [_failed(load, started, error) for load in loads])
        raise
    with warehouse:
        return ingest(warehouse, state, loads, allow_shrink=allow_shrink)


def restore(warehouse: Warehouse, state: Engine, load_id: int) -> LoadResult:
    """Bring a replaced load back, recorded like any load (so it can be undone the same way)."""
    started = _now()
    result = warehouse.restore(load_id)
    record_runs(state, [_succeeded(result, started, _now())])
    return result


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _succeeded(result: LoadResult, started: dt.datetime, finished: dt.datetime) -> IngestRun:
    return IngestRun(
        source=result.source,
        scope=result.scope,
        table_name=result.table,
        period_start=result.period_start,
        period_end=result.period_end,
        load_id=result.load_id,
        rows=result.rows_written,
        replaced_rows=result.rows_replaced,
        status="ok",
        started_at=started,
        finished_at=finished,
    )


def _failed(load: Load, started: dt.datetime, error: CostplaneError) -> IngestRun:
    return IngestRun(
        source=load.source,
        scope=load.scope,
        table_name=load.table,
        period_start=load.period_start,
        period_end=load.period_end,
        rows=0,
        replaced_rows=0,
        status="failed",
        error=str(error)[:2000],
        started_at=started,
        finished_at=_now(),
    )
