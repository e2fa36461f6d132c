"""The one list of FOCUS columns: the reader matches headers against it, the writers type
their columns from it."""

from __future__ import annotations

import pyarrow as pa
import pytest

from costplane.focus_columns import (
    ALL_COLUMNS,
    DATE_TIME_COLUMNS,
    DECIMAL_COLUMNS,
    FOCUS_VERSIONS,
    INSTANT,
    MANDATORY,
    arrow_field,
    columns_of,
)


def test_each_column_is_introduced_once() -> None:
    assert len(ALL_COLUMNS) == len(set(ALL_COLUMNS))


def test_typed_and_mandatory_columns_are_focus_columns() -> None:
    assert set(ALL_COLUMNS) >= DECIMAL_COLUMNS | DATE_TIME_COLUMNS
    assert not DECIMAL_COLUMNS & DATE_TIME_COLUMNS
    for version in FOCUS_VERSIONS:
        assert MANDATORY[version] <= set(columns_of(version))


def test_a_version_defines_its_predecessors_columns() -> None:
    assert len(columns_of("1.0")) == 43
    assert len(columns_of("1.2")) == 57
    assert columns_of("1.3") == ALL_COLUMNS
    assert "InvoiceId" in columns_of("1.2")
    assert "InvoiceId" not in columns_of("1.1")


def test_arrow_fields_keep_the_writers_decimal() -> None:
    money = pa.decimal128(38, 10)
    assert arrow_field("BilledCost", money).type == money
    assert arrow_field("PricingQuantity", money).type == money
    assert arrow_field("ChargePeriodStart", money).type == INSTANT
    assert arrow_field("Tags", money).type == pa.string()


def test_arrow_field_refuses_a_name_that_is_no_focus_column() -> None:
    with pytest.raises(ValueError, match="no FOCUS column"):
        arrow_field("BilledCosts", pa.decimal128(38, 9))
