"""The FOCUS specification's columns: which version added each, which a version makes
mandatory, and each column's data type.

The one list of FOCUS columns: the bill reader (`sources.focus`) matches headers
against it, and the writers (the allocation's FOCUS export, the synthetic fleet's bill)
take their column types from it. A module of its own, outside the stages, so that
sources and allocation both read it without one importing the other.
"""

from __future__ import annotations

import pyarrow as pa

FOCUS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")

INTRODUCED: dict[str, tuple[str, ...]] = {
    "1.0": (
        "AvailabilityZone",
        "BilledCost",
        "BillingAccountId",
        "BillingAccountName",
        "BillingCurrency",
        "BillingPeriodEnd",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargeClass",
        "ChargeDescription",
        "ChargeFrequency",
        "ChargePeriodEnd",
        "ChargePeriodStart",
        "CommitmentDiscountCategory",
        "CommitmentDiscountId",
        "CommitmentDiscountName",
        "CommitmentDiscountStatus",
        "CommitmentDiscountType",
        "ConsumedQuantity",
        "ConsumedUnit",
        "ContractedCost",
        "ContractedUnitPrice",
        "EffectiveCost",
        "InvoiceIssuerName",
        "ListCost",
        "ListUnitPrice",
        "PricingCategory",
        "PricingQuantity",
        "PricingUnit",
        "ProviderName",
        "PublisherName",
        "RegionId",
        "RegionName",
        "ResourceId",
        "ResourceName",
        "ResourceType",
        "ServiceCategory",
        "ServiceName",
        "SkuId",
        "SkuPriceId",
        "SubAccountId",
        "SubAccountName",
        "Tags",
    ),
    "1.1": (
        "CapacityReservationId",
        "CapacityReservationStatus",
        "CommitmentDiscountQuantity",
        "CommitmentDiscountUnit",
        "ServiceSubcategory",
        "SkuMeter",
        "SkuPriceDetails",
    ),
    "1.2": (
        "BillingAccountType",
        "InvoiceId",
        "PricingCurrency",
        "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost",
        "PricingCurrencyListUnitPrice",
        "SubAccountType",
    ),
    "1.3": (
        "AllocatedMethodDetails",
        "AllocatedMethodId",
        "AllocatedResourceId",
        "AllocatedResourceName",
        "AllocatedTags",
        "ContractApplied",
        "HostProviderName",
        "ServiceProviderName",
    ),
}
"""The columns each version added to the Cost and Usage dataset."""

_MANDATORY_SINCE_1_0 = frozenset(
    {
        "BilledCost",
        "BillingAccountId",
        "BillingAccountName",
        "BillingCurrency",
        "BillingPeriodEnd",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargeClass",
        "ChargeDescription",
        "ChargePeriodEnd",
        "ChargePeriodStart",
        "ContractedCost",
        "EffectiveCost",
        "InvoiceIssuerName",
        "ListCost",
        "PricingQuantity",
        "PricingUnit",
        "ProviderName",
        "PublisherName",
        "ServiceCategory",
        "ServiceName",
    }
)

MANDATORY: dict[str, frozenset[str]] = {
    "1.0": _MANDATORY_SINCE_1_0,
    "1.1": _MANDATORY_SINCE_1_0,
    "1.2": _MANDATORY_SINCE_1_0,
    "1.3": _MANDATORY_SINCE_1_0 | {"ServiceProviderName"},
}
"""Columns a version says MUST be present, whatever the provider supports."""

ALL_COLUMNS: tuple[str, ...] = tuple(c for version in FOCUS_VERSIONS for c in INTRODUCED[version])

DECIMAL_COLUMNS = frozenset(
    {
        "BilledCost",
        "CommitmentDiscountQuantity",
        "ConsumedQuantity",
        "ContractedCost",
        "ContractedUnitPrice",
        "EffectiveCost",
        "ListCost",
        "ListUnitPrice",
        "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost",
        "PricingCurrencyListUnitPrice",
        "PricingQuantity",
    }
)
"""Columns of the FOCUS data type Decimal: costs, prices and quantities."""

DATE_TIME_COLUMNS = frozenset(
    {"BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"}
)
"""Columns of the FOCUS data type Date/Time; every other column is a String (JSON ones too)."""

INSTANT = pa.timestamp("us", tz="UTC")
"""A FOCUS Date/Time in Arrow: microseconds, UTC."""


def columns_of(version: str) -> tuple[str, ...]:
    """Every column a FOCUS version defines (its own and its predecessors'), in the order
    they were added."""
    through = FOCUS_VERSIONS[: FOCUS_VERSIONS.index(version) + 1]
    return tuple(c for v in through for c in INTRODUCED[v])


def arrow_field(column: str, decimal: pa.DataType) -> pa.Field:
    """A FOCUS column as an Arrow field: Decimal as `decimal` (each writer keeps its own
    precision), Date/Time as INSTANT, the rest as strings."""
    if column in DECIMAL_COLUMNS:
        return pa.field(column, decimal)
    if column in DATE_TIME_COLUMNS:
        return pa.field(column, INSTANT)
    if column not in ALL_COLUMNS:
        raise ValueError(f"{column!r} is no FOCUS column")
    return pa.field(column, pa.string())
