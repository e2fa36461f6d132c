"""Commitments: the p10 baseline of the bill's hourly units, the offer that saves most,
break-even and a 20 % fall, worked by hand; the current commitments' utilisation from the
FOCUS specification's commitment example; on DuckDB and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from costplane.catalog import PriceSheet
from costplane.errors import InputError
from costplane.insight import recommend_commitments
from costplane.sources.focus import FocusOptions, read_focus_bill
from costplane.warehouse import Warehouse
from tests.insight.conftest import Cluster, insight_catalog

D = Decimal
COMMITMENT_EXAMPLE = (
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv"
)


def month_of_vms() -> Cluster:
    """30 days: three VMs all month, a fourth for the first 10 days; 0.20 an hour each."""
    cluster = Cluster(days=30)
    for n in range(3):
        cluster.node(f"vm{n}", "general")
    cluster.node("vm3", "general", billed_days=range(10))
    return cluster


def test_the_baseline_is_committed_at_the_best_offer(warehouse: Warehouse) -> None:
    catalog = insight_catalog()
    month_of_vms().load(warehouse, catalog)
    result = recommend_commitments(warehouse, catalog, days=30)
    [best] = result.recommendations
    units = np.array([4.0] * 240 + [3.0] * 480)  # the hours, as worked out by hand
    assert best.baseline_units == D(str(np.percentile(units, 10))) == D(3)
    assert (best.resource_type, best.sku, best.commit_units) == ("Virtual Machine", "VM-small", 3)
    # 3y at 46 %: 0.20 x (3 used - 3 x 0.54 paid) x 730 = 201.48; 1y: 0.20 x 3 x 0.28 x 730
    # = 122.64, so 3y wins
    assert (best.term, best.discount, best.monthly_saving) == ("3y", D("0.46"), D("201.48"))
    assert best.break_even_utilisation == D("0.54")
    assert best.on_demand_hourly == D("0.2")
    assert best.utilisation == D(1)
    # demand x 0.8: 3.2 for 240 hours, 2.4 for 480: min(u, 3) averages 2.6, so
    # 0.20 x (2.6 - 1.62) x 730 = 143.08; 58.40 lost
    assert best.monthly_saving_if_demand_falls_20 == D("143.08")
    assert best.monthly_loss_if_demand_falls_20 == D("58.40")
    assert (result.hours, result.notes, result.current) == (720, (), ())


def test_without_offers_nothing_is_recommended(warehouse: Warehouse) -> None:
    catalog = insight_catalog(commitments=False)
    month_of_vms().load(warehouse, catalog)
    result = recommend_commitments(warehouse, catalog, days=30)
    assert result.recommendations == ()
    assert any("declares no commitments" in note for note in result.notes)
    with pytest.raises(InputError, match="30 to 90"):
        recommend_commitments(warehouse, catalog, days=10)


def test_the_spec_examples_commitment_is_fully_used(
    warehouse: Warehouse, sample_data: Path
) -> None:
    options = FocusOptions(
        billing_account_id="spec-example", billing_currency="USD", allow_missing_columns=True
    )
    with read_focus_bill([sample_data / "focus" / COMMITMENT_EXAMPLE], options) as bill:
        warehouse.ingest(bill.loads)
    result = recommend_commitments(warehouse, insight_catalog(), days=30)
    [use] = result.current
    # two Usage rows Used, EffectiveCost 1.00 each; the Purchase row has no status
    assert use.commitment_discount_id == "<my-commitment-discount-id>"
    assert (use.used_cost, use.unused_cost, use.utilisation) == (D(2), D(0), D(1))
    assert result.hours == 1
    assert "first look" in result.notes[0]


def test_offers_are_checked_like_prices() -> None:
    sheet = insight_catalog().price_sheet.model_dump()
    for bad, message in (
        ({"term": "2y", "discount": "0.3"}, "expected one of 1y, 3y"),
        ({"term": "1y", "discount": "1.2"}, "less than 1"),
        ({"term": "1y", "discount": "0.3", "unit": "month"}, "expected hour"),
    ):
        with pytest.raises(ValidationError, match=message):
            PriceSheet.model_validate({**sheet, "commitments": [bad]})
