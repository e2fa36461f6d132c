"""The one ingest API: exact money, replace-by-key, refused overlaps, all-or-nothing batches."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane.errors import IngestConflictError, InputError
from costplane.warehouse import Load, LoadRecord, Warehouse, connect_warehouse
from costplane.warehouse import transaction as transaction_module

DAY = datetime(2024, 3, 1)
NEXT_DAY = DAY + timedelta(days=1)
TINY = Decimal("0.000000000000000001")
HUGE = Decimal("12345678901234567890.123456789012345678")


def usage(hours: list[datetime], cpu: float = 0.5, namespace: str = "acme-prod") -> pa.Table:
    return pa.table(
        {
            "hour": pa.array(hours, pa.timestamp("us")),
            "cluster": ["eu-1"] * len(hours),
            "namespace": [namespace] * len(hours),
            "pod": [f"odoo-{i}" for i in range(len(hours))],
            "cpu_usage_cores": [cpu] * len(hours),
            "memory_request_bytes": [2**31] * len(hours),
        }
    )


def hours_of(start: datetime, count: int) -> list[datetime]:
    return [start + timedelta(hours=i) for i in range(count)]


def usage_load(
    scope: str = "eu-1",
    start: datetime = DAY,
    end: datetime = NEXT_DAY,
    data: pa.Table | Path | None = None,
) -> Load:
    rows = usage(hours_of(start, int((end - start) / timedelta(hours=1)))) if data is None else data
    return Load("usage_samples", "prometheus", scope, start, end, rows)


def rows_of(warehouse: Warehouse, table: str, *columns: str) -> list[tuple[object, ...]]:
    read = warehouse.table(table).select(*columns).to_pyarrow().to_pylist()
    return sorted(tuple(row[c] for c in columns) for row in read)


def totals(warehouse: Warehouse) -> tuple[int, float]:
    """What a user checks after a load: how many usage rows, and the CPU they add up to."""
    table = warehouse.table("usage_samples")
    count = table.count().to_pyarrow().as_py()
    cpu = table.cpu_usage_cores.sum().to_pyarrow().as_py()
    return count, cpu or 0.0


def registry(warehouse: Warehouse) -> list[tuple[int, str, str, datetime, datetime, int]]:
    def entry(r: LoadRecord) -> tuple[int, str, str, datetime, datetime, int]:
        return (r.load_id, r.table, r.scope, r.period_start, r.period_end, r.rows)

    return [entry(r) for r in warehouse.loads()]


def test_money_survives_to_the_last_decimal(warehouse: Warehouse) -> None:
    bill = pa.table(
        {
            "billing_period_start": [DAY, DAY],
            "charge_period_start": [DAY, DAY + timedelta(hours=5)],
            "billed_cost": [TINY, HUGE],
            "effective_cost": [str(HUGE), "0.1"],
            "pricing_quantity": [Decimal("3"), None],
            "list_unit_price": [123456.789, 0.1],  # floats: read as their shortest decimal
            "tags": ['{"tenant": "acme"}', None],
        }
    )

    [result] = warehouse.ingest([Load("billing_lines", "focus", "acct-1", DAY, NEXT_DAY, bill)])

    assert result.rows_written == 2
    read = rows_of(
        warehouse,
        "billing_lines",
        "billed_cost",
        "effective_cost",
        "pricing_quantity",
        "list_unit_price",
    )
    assert read == [
        (TINY, HUGE, Decimal(3), Decimal("123456.789")),
        (HUGE, Decimal("0.1"), None, Decimal("0.1")),
    ]
    total = warehouse.table("billing_lines").billed_cost.sum().to_pyarrow().as_py()
    assert total == Decimal("12345678901234567890.123456789012345679")  # TINY + HUGE, exact


def test_same_key_twice_replaces_instead_of_doubling(warehouse: Warehouse) -> None:
    first = warehouse.ingest([usage_load()])
    before = totals(warehouse)

    [again] = warehouse.ingest([usage_load()])

    assert before == (24, 12.0)
    assert totals(warehouse) == before
    assert (again.rows_written, again.rows_replaced, again.replaced_load_id) == (
        24,
        24,
        first[0].load_id,
    )
    assert registry(warehouse) == [(again.load_id, "usage_samples", "eu-1", DAY, NEXT_DAY, 24)]


def test_replacement_keeps_only_the_new_rows(warehouse: Warehouse) -> None:
    warehouse.ingest([usage_load()])

    corrected = usage(hours_of(DAY, 6), cpu=2.0)
    warehouse.ingest([usage_load(data=corrected)], allow_shrink=True)

    assert totals(warehouse) == (6, 12.0)
    assert [r[-1] for r in registry(warehouse)] == [6]


def test_scopes_and_adjacent_periods_coexist(warehouse: Warehouse) -> None:
    results = warehouse.ingest([usage_load("eu-1"), usage_load("us-1")])
    results += warehouse.ingest([usage_load("eu-1", NEXT_DAY, NEXT_DAY + timedelta(days=1))])

    assert totals(warehouse) == (72, 36.0)
    assert [r.load_id for r in results] == [1, 2, 3]
    assert [(scope, start) for _, _, scope, start, _, _ in registry(warehouse)] == [
        ("eu-1", DAY),
        ("us-1", DAY),
        ("eu-1", NEXT_DAY),
    ]


def test_an_overlapping_period_is_refused_and_changes_nothing(warehouse: Warehouse) -> None:
    warehouse.ingest([usage_load()])
    before = (totals(warehouse), registry(warehouse))
    noon = DAY + timedelta(hours=12)

    with pytest.raises(IngestConflictError) as refused:
        warehouse.ingest([usage_load(start=noon, end=noon + timedelta(days=1))])

    assert "[2024-03-01T00:00:00, 2024-03-02T00:00:00)" in str(refused.value)
    assert "usage_samples" in str(refused.value)
    assert (totals(warehouse), registry(warehouse)) == before


def test_instants_conflict_only_with_the_same_instant(warehouse: Warehouse) -> None:
    def snapshot(at: datetime, keys: int) -> Load:
        stats = pa.table({"taken_at": [at], "server": ["redis-1"], "keys": [keys]})
        return Load("cache_stats", "redis", "redis-1", at, at, stats)

    morning, evening = DAY + timedelta(hours=8), DAY + timedelta(hours=20)
    warehouse.ingest([snapshot(morning, 10), snapshot(evening, 20)])
    [again] = warehouse.ingest([snapshot(morning, 11)])

    assert again.rows_replaced == 1
    assert rows_of(warehouse, "cache_stats", "taken_at", "keys") == [(morning, 11), (evening, 20)]
    assert len(warehouse.loads()) == 2


def test_a_date_column_compares_by_day(warehouse: Warehouse) -> None:
    def signals(scope: str, days: list[date], end: datetime) -> Load:
        rows = pa.table({"day": days, "tenant": ["acme"] * len(days), "count": [5] * len(days)})
        return Load("business_signals", "odoo", scope, DAY, end, rows)

    warehouse.ingest([signals("acme", [DAY.date()], NEXT_DAY)])
    with pytest.raises(InputError, match=r"business_signals: day 2024-03-02 lies outside"):
        warehouse.ingest([signals("acme", [DAY.date(), NEXT_DAY.date()], NEXT_DAY)])

    half_day = signals("globex", [DAY.date()], DAY + timedelta(hours=12))
    assert warehouse.ingest([half_day])[0].rows_written == 1


def test_missing_columns_are_null_and_values_are_cast(warehouse: Warehouse) -> None:
    rows = pa.table(
        {
            "hour": ["2024-03-01 05:00:00"],
            "cpu_usage_cores": pa.array([1], pa.int32()),
            "memory_request_bytes": ["1073741824"],
        }
    )

    warehouse.ingest([usage_load(data=rows)])

    read = warehouse.table("usage_samples").to_pyarrow().to_pylist()
    assert [
        (r["hour"], r["cpu_usage_cores"], r["memory_request_bytes"], r["pod"]) for r in read
    ] == [(DAY + timedelta(hours=5), 1.0, 1073741824, None)]


def test_zoned_times_are_stored_as_utc(warehouse: Warehouse) -> None:
    paris = timezone(timedelta(hours=1))
    rows = pa.table(
        {"hour": pa.array([datetime(2024, 3, 1, 1, tzinfo=paris)], pa.timestamp("us", "+01:00"))}
    )
    start = datetime(2024, 3, 1, 1, tzinfo=paris)

    [result] = warehouse.ingest([usage_load(start=start, end=start + timedelta(days=1), data=rows)])

    assert (result.period_start, result.period_end) == (DAY, NEXT_DAY)
    assert rows_of(warehouse, "usage_samples", "hour") == [(DAY,)]
    assert registry(warehouse)[0][3:5] == (DAY, NEXT_DAY)


def test_nested_values_become_json_text(warehouse: Warehouse) -> None:
    rows = pa.table({"taken_at": [DAY], "kind": ["Namespace"], "labels": [{"tenant": "acme"}]})

    warehouse.ingest([Load("inventory_snapshots", "kubernetes", "eu-1", DAY, DAY, rows)])

    assert rows_of(warehouse, "inventory_snapshots", "labels") == [('{"tenant":"acme"}',)]


def test_an_empty_load_records_its_period_and_clears_the_earlier_rows(
    warehouse: Warehouse,
) -> None:
    warehouse.ingest([usage_load()])

    [result] = warehouse.ingest([usage_load(data=usage([]))], allow_shrink=True)

    assert (result.rows_written, result.rows_replaced) == (0, 24)
    assert totals(warehouse) == (0, 0.0)
    assert [r[-1] for r in registry(warehouse)] == [0]


BAD_SECOND_LOADS = {
    "bad cast": (
        usage_load(
            "us-1",
            data=usage(hours_of(DAY, 2)).set_column(
                4, "cpu_usage_cores", pa.array(["0.5", "lots"])
            ),
        ),
        InputError,
        ["usage_samples.cpu_usage_cores", "'lots'"],
    ),
    "row outside its period": (
        usage_load("us-1", data=usage([DAY, NEXT_DAY + timedelta(hours=3)])),
        InputError,
        ["usage_samples", "hour", "2024-03-02 03:00:00"],
    ),
    "unknown column": (
        usage_load("us-1", data=usage([DAY]).append_column("gpu_cores", pa.array([1.0]))),
        InputError,
        ["gpu_cores", "usage_samples"],
    ),
    "overlap found inside the transaction": (
        usage_load("eu-1", DAY + timedelta(hours=1), NEXT_DAY + timedelta(hours=1)),
        IngestConflictError,
        ["overlaps load"],
    ),
}


@pytest.mark.parametrize("failure", BAD_SECOND_LOADS.values(), ids=BAD_SECOND_LOADS.keys())
def test_a_failing_load_leaves_the_whole_batch_unwritten(
    warehouse: Warehouse, failure: tuple[Load, type[Exception], list[str]]
) -> None:
    bad, error, named = failure
    warehouse.ingest([usage_load()])
    before = (totals(warehouse), registry(warehouse))
    replacement = usage_load(data=usage(hours_of(DAY, 3), cpu=9.0))

    with pytest.raises(error) as refused:
        warehouse.ingest([replacement, bad], allow_shrink=True)

    for part in named:
        assert part in str(refused.value)
    assert (totals(warehouse), registry(warehouse)) == before


def test_the_batch_is_one_transaction_on_the_native_connection(warehouse: Warehouse) -> None:
    """A failure after the first load's DELETE and INSERT ran must undo them."""
    warehouse.ingest([usage_load()])
    bad = usage(hours_of(DAY, 1)).set_column(5, "memory_request_bytes", pa.array(["2 GiB"]))

    with pytest.raises(
        InputError, match=r"usage_samples\.memory_request_bytes: cannot read '2 GiB'"
    ):
        warehouse.ingest(
            [usage_load(data=usage(hours_of(DAY, 3))), usage_load("us-1", data=bad)],
            allow_shrink=True,
        )

    assert totals(warehouse) == (24, 12.0)


def test_a_batch_may_not_load_one_key_twice(warehouse: Warehouse) -> None:
    with pytest.raises(InputError, match="twice"):
        warehouse.ingest([usage_load(), usage_load()])


@pytest.mark.parametrize(
    ("load", "message"),
    [
        (replace(usage_load(), table="usage"), "unknown fact table 'usage'"),
        (replace(usage_load(), period_end=DAY - timedelta(hours=1)), "is before period_start"),
        (replace(usage_load(), scope=""), "non-empty scope"),
        (usage_load(data=pa.table({"namespace": ["a"]})), "lacks the time column 'hour'"),
        (
            usage_load(data=pa.table({"hour": pa.array([None], pa.timestamp("us"))})),
            "a row has no hour",
        ),
        (usage_load(data=Path("/nonexistent/usage.parquet")), "no such Parquet file"),
    ],
)
def test_bad_loads_are_input_errors(warehouse: Warehouse, load: Load, message: str) -> None:
    with pytest.raises(InputError, match=message):
        warehouse.ingest([load])

    assert warehouse.loads() == []


def test_a_parquet_file_streams_in_batches(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction_module, "COPY_BATCH_ROWS", 1000)
    hours = hours_of(DAY, 24) * 300
    path = tmp_path / "usage.parquet"
    pq.write_table(usage(hours, cpu=0.25), path, row_group_size=1000)

    [result] = warehouse.ingest([usage_load(data=path)])

    assert result.rows_written == 7200
    assert totals(warehouse) == (7200, 1800.0)


@pytest.mark.postgres
def test_concurrent_ingests_wait_for_the_registry_lock(postgres_url: str) -> None:
    with connect_warehouse(postgres_url) as first, connect_warehouse(postgres_url) as second:
        first.ensure_schema()
        second.ensure_schema()
        results: list[int] = []
        with psycopg.connect(postgres_url, autocommit=True) as holder, holder.transaction():
            holder.execute("LOCK TABLE loads IN EXCLUSIVE MODE")
            waiting = threading.Thread(
                target=lambda: results.extend(r.load_id for r in first.ingest([usage_load("eu-1")]))
            )
            waiting.start()
            waiting.join(timeout=1.0)
            assert waiting.is_alive(), "the ingest did not wait for the registry lock"
        waiting.join(timeout=30)
        results.extend(r.load_id for r in second.ingest([usage_load("us-1")]))

        assert results == [1, 2]


@pytest.mark.postgres
def test_a_value_postgres_cannot_store_is_an_input_error(postgres_url: str) -> None:
    rows = usage([DAY]).set_column(2, "namespace", pa.array(["acme\x00prod"]))

    with connect_warehouse(postgres_url) as warehouse:
        with pytest.raises(InputError, match=r"PostgreSQL refused a value: .*0x00"):
            warehouse.ingest([usage_load(data=rows)])

        assert warehouse.loads() == []


def test_an_unreadable_time_is_named(warehouse: Warehouse) -> None:
    rows = pa.table({"hour": ["2024-03-01 01:00", "yesterday"]})

    with pytest.raises(
        InputError, match=r"usage_samples\.hour: cannot read 'yesterday' as timestamp"
    ):
        warehouse.ingest([usage_load(data=rows)])
