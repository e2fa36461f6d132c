"""Price units: what each price accepts, and that every unit normalises to the same truth.

The unit factors here are written out independently of the code under test: a month
is 730 hours, a GiB 2^30 bytes, a GB 10^9 bytes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from costplane.catalog.price_sheet import BytePrice, ByteTimePrice, CpuPrice, HourlyPrice, Price

HOURS_IN = {"hour": 1, "day": 24, "month": 730, "year": 8760}
GIB_IN_BINARY = {"MiB": Decimal(1) / 1024, "GiB": Decimal(1), "TiB": Decimal(1024)}

cents = st.decimals(min_value=0, max_value=100_000, places=2)


@given(
    canonical=cents,
    first=st.sampled_from(sorted(GIB_IN_BINARY)),
    first_period=st.sampled_from(sorted(HOURS_IN)),
    second=st.sampled_from(sorted(GIB_IN_BINARY)),
    second_period=st.sampled_from(sorted(HOURS_IN)),
)
def test_one_price_in_any_two_binary_units_normalises_to_the_same_gib_hour_rate(
    canonical: Decimal, first: str, first_period: str, second: str, second_period: str
) -> None:
    """A price per GiB-month and the same price per MiB-hour (and every other pair) agree."""
    stated = [
        ByteTimePrice(
            amount=canonical * GIB_IN_BINARY[quantity] * HOURS_IN[period],
            unit=f"{quantity}-{period}",
        )
        for quantity, period in ((first, first_period), (second, second_period))
    ]
    assert stated[0].canonical == stated[1].canonical == canonical
    assert stated[0].per_month == stated[1].per_month == canonical * 730


@given(amount=st.decimals(min_value=0, max_value=10_000, places=6))
def test_a_price_per_decimal_gb_is_dearer_per_gib_by_exactly_2_30_over_10_9(
    amount: Decimal,
) -> None:
    assert BytePrice(amount=amount, unit="GB").canonical == amount * Decimal("1.073741824")
    assert BytePrice(amount=amount, unit="MB").canonical == amount * Decimal("1073.741824")
    per_gb_month = ByteTimePrice(amount=amount, unit="GB-month")
    assert per_gb_month.canonical == amount * Decimal("1.073741824") / 730


@given(amount=st.decimals(min_value=0, max_value=1_000_000, places=6))
def test_a_monthly_price_comes_back_exactly_as_written_per_month(amount: Decimal) -> None:
    """Not 450.0999...: the monthly rate is not rebuilt from the rounded hourly one."""
    assert CpuPrice(amount=amount, unit="core-month").per_month == amount
    assert ByteTimePrice(amount=amount, unit="GiB-month").per_month == amount


def test_a_stated_price_normalises_to_the_canonical_unit() -> None:
    assert ByteTimePrice(amount=Decimal("0.10"), unit="GiB-month").canonical == (
        Decimal("0.10") / Decimal(730)
    )
    assert CpuPrice(amount=Decimal(23), unit="core-month").canonical == Decimal(23) / 730
    assert CpuPrice(amount=Decimal("0.05"), unit="core-hour").per_month == Decimal("36.5")
    assert HourlyPrice(amount=Decimal("0.025"), unit="hour").per_month == Decimal("18.25")
    assert ByteTimePrice(amount=Decimal("1.2"), unit="TiB-day").canonical == (
        Decimal("1.2") / 1024 / 24
    )


def test_a_per_quantity_price_has_no_monthly_rate() -> None:
    with pytest.raises(ValueError, match="no monthly rate"):
        _ = BytePrice(amount=Decimal("0.08"), unit="GB").per_month


@pytest.mark.parametrize(
    ("price", "unit"),
    [
        (CpuPrice, "core-hour"),
        (CpuPrice, "core-year"),
        (ByteTimePrice, "MB-day"),
        (ByteTimePrice, "TiB-month"),
        (BytePrice, "GB"),
        (BytePrice, "MiB"),
        (HourlyPrice, "hour"),
        (HourlyPrice, "month"),
    ],
)
def test_units_that_fit_are_accepted(price: type[Price], unit: str) -> None:
    assert price(amount=Decimal(1), unit=unit).unit == unit


@pytest.mark.parametrize(
    ("price", "unit"),
    [
        pytest.param(CpuPrice, "GiB-month", id="cpu-per-byte"),
        pytest.param(CpuPrice, "core", id="cpu-without-period"),
        pytest.param(CpuPrice, "month", id="cpu-without-core"),
        pytest.param(CpuPrice, "core/month", id="slash-instead-of-dash"),
        pytest.param(ByteTimePrice, "GiB", id="memory-without-period"),
        pytest.param(ByteTimePrice, "gib-month", id="lower-case-unit"),
        pytest.param(ByteTimePrice, "GiB-week", id="unknown-period"),
        pytest.param(BytePrice, "GB-month", id="egress-with-period"),
        pytest.param(BytePrice, "hour", id="egress-per-hour"),
        pytest.param(HourlyPrice, "GiB", id="load-balancer-per-byte"),
        pytest.param(HourlyPrice, "-month", id="empty-quantity"),
    ],
)
def test_units_that_do_not_fit_are_rejected_with_the_expected_form(
    price: type[Price], unit: str
) -> None:
    with pytest.raises(ValidationError, match=f"unit '{unit}' does not fit this price: expected"):
        price(amount=Decimal(1), unit=unit)
