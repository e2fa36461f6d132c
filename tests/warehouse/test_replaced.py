"""No data lost by a reload: a shrinking reload is refused, replaced loads are kept and
can be restored, and a restore is itself undone the same way. On both engines."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane.errors import InputError
from costplane.warehouse import (
    SHRINK_LIMIT,
    Load,
    LoadShrankError,
    Warehouse,
    connect_warehouse,
)
from tests.warehouse.test_ingest import DAY, NEXT_DAY, hours_of, totals, usage, usage_load

MARCH = (datetime(2025, 3, 1), datetime(2025, 4, 1))


def bill(costs: list[str]) -> pa.Table:
    """Billing lines of one account's March, one charge per cost."""
    return pa.table(
        {
            "billing_period_start": pa.array([MARCH[0]] * len(costs), pa.timestamp("us")),
            "charge_period_start": pa.array([MARCH[0]] * len(costs), pa.timestamp("us")),
            "billed_cost": pa.array([Decimal(c) for c in costs], pa.decimal128(38, 18)),
            "resource_id": [f"vm-{i}" for i in range(len(costs))],
        }
    )


def bill_load(costs: list[str], origin: str = "march.csv") -> Load:
    return Load("billing_lines", "focus", "acct-1", *MARCH, bill(costs), origin)


def billed(warehouse: Warehouse) -> tuple[int, Decimal]:
    """What a user checks after loading a bill: its lines and what they add up to."""
    lines = warehouse.table("billing_lines")
    count = lines.count().to_pyarrow().as_py()
    return count, Decimal(lines.billed_cost.sum().to_pyarrow().as_py() or 0)


def kept(warehouse: Warehouse) -> list[tuple[int, int, int]]:
    return [(k.load_id, k.record.rows, k.replaced_by) for k in warehouse.replaced_loads()]


def test_a_reload_with_far_fewer_rows_is_refused_and_changes_nothing(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "usage-2024-03-01.parquet"
    pq.write_table(usage(hours_of(DAY, 24)), path)
    [first] = warehouse.ingest([usage_load(data=path)])
    pq.write_table(usage(hours_of(DAY, 6)), path)  # the same file, cut short

    with pytest.raises(LoadShrankError) as refused:
        warehouse.ingest([usage_load(data=path)])

    assert str(refused.value) == (
        f"{path}: usage_samples from prometheus for eu-1 "
        "[2024-03-01T00:00:00, 2024-03-02T00:00:00) would shrink: 6 rows where load "
        f"{first.load_id} holds 24 (-75.0 %). Nothing written: a reload may hold at most "
        f"10 % less; --replace loads it anyway (load {first.load_id} is kept and can be restored)"
    )
    assert isinstance(refused.value, InputError)
    assert totals(warehouse) == (24, 12.0)
    assert [(r.load_id, r.rows) for r in warehouse.loads()] == [(first.load_id, 24)]
    assert kept(warehouse) == []


def test_the_cut_bill_of_the_report_is_refused_by_its_billed_cost(warehouse: Warehouse) -> None:
    """1,999 of 5,057 rows: 9,346 EUR would have become 3,767 EUR."""
    warehouse.ingest([bill_load(["9346.00"] + ["0"] * 5056)])
    cut = bill_load(["3767.00"] + ["0"] * 1998, "bill-cut.csv")

    with pytest.raises(LoadShrankError) as refused:
        warehouse.ingest([cut])

    message = str(refused.value)
    assert message.startswith("bill-cut.csv: billing_lines from focus for acct-1 ")
    assert "1,999 rows where load 1 holds 5,057 (-60.5 %)" in message
    assert "billed cost 3,767 where it holds 9,346 (-59.7 %)" in message
    assert billed(warehouse) == (5057, Decimal("9346"))


def test_less_billed_cost_on_as_many_rows_is_refused(warehouse: Warehouse) -> None:
    warehouse.ingest([bill_load(["100", "100"])])

    with pytest.raises(
        LoadShrankError, match=r"billed cost 179\.99 where it holds 200 \(-10\.0 %\)"
    ):
        warehouse.ingest([bill_load(["100", "79.99"])])

    assert billed(warehouse) == (2, Decimal("200"))


@pytest.mark.parametrize(
    ("rows", "costs", "refused"),
    [
        (18, None, False),  # 10 % fewer rows: the limit itself is allowed
        (17, None, True),
        (20, ["90"], False),  # 10 % less billed cost
        (20, ["89.99"], True),
        (30, None, False),  # more is never a shrink
    ],
)
def test_the_limit_is_ten_percent(
    warehouse: Warehouse, rows: int, costs: list[str] | None, refused: bool
) -> None:
    assert Decimal("0.10") == SHRINK_LIMIT
    warehouse.ingest([bill_load(["100"] + ["0"] * 19)])
    again = bill_load((costs or ["100"]) + ["0"] * (rows - 1))

    if refused:
        with pytest.raises(LoadShrankError):
            warehouse.ingest([again])
    else:
        warehouse.ingest([again])
    assert billed(warehouse)[0] == (20 if refused else rows)


def test_one_shrinking_load_refuses_the_whole_batch_naming_each(warehouse: Warehouse) -> None:
    warehouse.ingest([usage_load("eu-1"), usage_load("us-1"), bill_load(["50"])])
    before = (totals(warehouse), billed(warehouse))

    with pytest.raises(LoadShrankError) as refused:
        warehouse.ingest(
            [
                usage_load("eu-1", data=usage(hours_of(DAY, 2))),
                usage_load("us-1"),
                bill_load(["5"], "march-v2.csv"),
            ]
        )

    *lines, last = str(refused.value).splitlines()
    assert [line.split(" would shrink")[0] for line in lines] == [
        "usage_samples from prometheus for eu-1 [2024-03-01T00:00:00, 2024-03-02T00:00:00)",
        "march-v2.csv: billing_lines from focus for acct-1 "
        "[2025-03-01T00:00:00, 2025-04-01T00:00:00)",
    ]
    assert last.startswith("2 loads would shrink; nothing written")
    assert (totals(warehouse), billed(warehouse)) == before
    assert kept(warehouse) == []


def test_a_forced_reload_keeps_the_replaced_load_and_a_restore_brings_it_back(
    warehouse: Warehouse,
) -> None:
    [whole] = warehouse.ingest([bill_load(["12.5", "30", "0.000000000000000001"])])
    [cut] = warehouse.ingest([bill_load(["12.5"])], allow_shrink=True)

    assert billed(warehouse) == (1, Decimal("12.5"))
    assert kept(warehouse) == [(whole.load_id, 3, cut.load_id)]

    restored = warehouse.restore(whole.load_id)

    assert billed(warehouse) == (3, Decimal("42.500000000000000001"))  # to the last decimal
    assert (restored.restored_from, restored.replaced_load_id) == (whole.load_id, cut.load_id)
    assert (restored.rows_written, restored.rows_replaced) == (3, 1)
    assert restored.load_id > cut.load_id
    assert [(r.load_id, r.rows, r.restored_from) for r in warehouse.loads()] == [
        (restored.load_id, 3, whole.load_id)
    ]
    assert kept(warehouse) == [(cut.load_id, 1, restored.load_id)]

    undone = warehouse.restore(cut.load_id)  # the restore is undone the same way

    assert billed(warehouse) == (1, Decimal("12.5"))
    assert kept(warehouse) == [(restored.load_id, 3, undone.load_id)]


def test_every_replaced_load_is_kept_and_never_counted(warehouse: Warehouse) -> None:
    results = [warehouse.ingest([usage_load()])[0] for _ in range(3)]
    snapshot = usage(hours_of(DAY, 1))
    instant = [Load("usage_samples", "prometheus", "us-1", DAY, DAY, snapshot) for _ in range(2)]
    for load in instant:
        warehouse.ingest([load])

    assert totals(warehouse) == (25, 12.5)
    ids = [r.load_id for r in results]
    assert [(k.load_id, k.replaced_by) for k in warehouse.replaced_loads()] == [
        (ids[0], ids[1]),
        (ids[1], ids[2]),
        (ids[2] + 1, ids[2] + 2),
    ]
    kept_rows = warehouse.ibis.table("replaced_usage_samples").count().to_pyarrow().as_py()
    assert kept_rows == 24 + 24 + 1


def test_a_load_the_history_does_not_keep_cannot_be_restored(warehouse: Warehouse) -> None:
    [first] = warehouse.ingest([usage_load()])
    [second] = warehouse.ingest([usage_load()])
    restored = warehouse.restore(first.load_id)

    with pytest.raises(InputError, match=f"load {restored.load_id} .* is current"):
        warehouse.restore(restored.load_id)
    with pytest.raises(InputError, match=f"load {first.load_id} was restored already, as load"):
        warehouse.restore(first.load_id)
    with pytest.raises(InputError, match="no kept load 999"):
        warehouse.restore(999)
    assert totals(warehouse) == (24, 12.0)
    assert [k.load_id for k in warehouse.replaced_loads()] == [second.load_id]


def test_load_ids_never_repeat_after_restores(warehouse: Warehouse) -> None:
    [a] = warehouse.ingest([usage_load()])
    [b] = warehouse.ingest([usage_load()])
    c = warehouse.restore(a.load_id)
    d = warehouse.restore(b.load_id)
    [e] = warehouse.ingest([usage_load("us-1", NEXT_DAY, NEXT_DAY + timedelta(days=1))])

    ids = [a.load_id, b.load_id, c.load_id, d.load_id, e.load_id]
    assert ids == sorted(set(ids))


def test_kept_loads_survive_reconnecting(warehouse_url: str) -> None:
    with connect_warehouse(warehouse_url) as first:
        [whole] = first.ingest([bill_load(["10", "20"])])
        first.ingest([bill_load(["1"])], allow_shrink=True)

    with connect_warehouse(warehouse_url) as again:
        again.restore(whole.load_id)
        assert billed(again) == (2, Decimal("30"))
