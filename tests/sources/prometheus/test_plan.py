"""The split: every query within max points, every unit and step asked for exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costplane.errors import InputError
from costplane.sources.prometheus.plan import MAX_STEPS_PER_QUERY, MAX_VALUES_PER_BATCH, Unit, plan

units_strategy = st.dictionaries(
    st.text("abcdefgh-", min_size=1, max_size=6), st.integers(0, 60), max_size=40
)


@given(units=units_strategy, steps=st.integers(1, 800), max_points=st.integers(60, 20_000))
def test_queries_stay_within_max_points_and_cover_everything_once(
    units: dict[str, int], steps: int, max_points: int
) -> None:
    batches = plan("namespace", [Unit(v, n) for v, n in units.items()], steps, max_points)
    covered: Counter[tuple[str, int]] = Counter()
    for batch in batches:
        assert batch.series == sum(units[v] for v in batch.values)
        assert len(batch.values) <= MAX_VALUES_PER_BATCH
        for chunk in batch.chunks:
            assert 1 <= chunk.first <= chunk.last <= steps
            assert batch.points(chunk) <= max_points
            assert chunk.steps <= MAX_STEPS_PER_QUERY
            covered.update((v, k) for v in batch.values for k in range(chunk.first, chunk.last + 1))
    wanted = {(v, k) for v, n in units.items() if n > 0 for k in range(1, steps + 1)}
    assert set(covered) == wanted
    assert set(covered.values()) <= {1}


def test_small_units_share_a_query_for_the_whole_window() -> None:
    batches = plan("namespace", [Unit("b", 3), Unit("a", 2), Unit("c", 4)], 24, 1_000)
    assert [(b.values, b.series, [(c.first, c.last) for c in b.chunks]) for b in batches] == [
        (("a", "b", "c"), 9, [(1, 24)])
    ]
    assert batches[0].matcher == 'namespace=~"a|b|c"'


def test_a_big_unit_is_cut_in_time_and_packed_with_none_bigger() -> None:
    batches = plan("namespace", [Unit("big", 100), Unit("x", 60), Unit("y", 50)], 720, 10_000)
    assert [(b.values, b.series) for b in batches] == [(("big",), 100), (("x",), 60), (("y",), 50)]
    assert [len(b.chunks) for b in batches] == [8, 5, 4]
    assert batches[0].chunks[0].steps == 100
    assert batches[0].chunks[-1].last == 720


def test_prometheus_refuses_more_than_11000_steps() -> None:
    (batch,) = plan("node", [Unit("n1", 2)], 30_000, 10_000_000)
    assert [c.steps for c in batch.chunks] == [11_000, 11_000, 8_000]


def test_no_units_no_queries() -> None:
    assert plan("router", [], 100, 1_000) == []
    assert plan("router", [Unit("r", 0)], 100, 1_000) == []


def test_a_unit_bigger_than_max_points_names_it() -> None:
    with pytest.raises(InputError) as raised:
        plan("namespace", [Unit("odoo-prod", 5_000)], 24, 1_000)
    assert str(raised.value) == (
        "namespace odoo-prod has 5,000 series: one step of it exceeds --max-points 1,000; "
        "raise --max-points to at least 5,000"
    )


def test_a_batch_names_its_first_values() -> None:
    (batch,) = plan("router", [Unit(f"r{i}", 1) for i in range(5)], 10, 1_000)
    assert batch.describe() == "routers r0, r1, r2 (+2 more)"
    (single,) = plan("node", [Unit("n1", 2)], 10, 1_000)
    assert single.describe() == "node n1"
