"""Row checks that span columns: the billing period and the charge period.

- BillingPeriodEnd must be after BillingPeriodStart, ChargePeriodEnd not before
  ChargePeriodStart.
- A charge must lie in the billing period that bills it, with two exceptions
  real bills need (both in FOCUS's own examples and in providers' data):
  * a charge billed late starts before its billing period (usage of the last
    hour of September billed in October): its start may lie before the period;
  * a One-Time charge can pay for a term (an upfront commitment, an
    end-of-contract fee): its end may lie after the period.
  So a charge that starts at or after BillingPeriodEnd is refused, and one
  that ends after BillingPeriodEnd is refused unless it is One-Time.

Each check is SQL over the values `rows.py` has read (`{name}` placeholders are
the aliases of the FOCUS columns' values) and yields a message or NULL.
"""

from __future__ import annotations

from collections.abc import Mapping

from costplane.sources.focus.cells import literal

ISO = "'%Y-%m-%dT%H:%M:%S'"


def _at(alias: str) -> str:
    return f"strftime({alias}, {ISO})"


def period_checks(values: Mapping[str, str], names: Mapping[str, str]) -> list[str]:
    """SQL message expressions; `values` maps FOCUS columns to value aliases, `names`
    to the column names the file writes."""
    bps, bpe = values["BillingPeriodStart"], values["BillingPeriodEnd"]
    cps, cpe = values["ChargePeriodStart"], values["ChargePeriodEnd"]
    frequency = values.get("ChargeFrequency")
    one_time = f"coalesce({frequency} = 'One-Time', false)" if frequency else "false"

    def said(column: str, sentence: str) -> str:
        return f"{literal(names[column] + ': ')} || {sentence}"

    period = f"'[' || {_at(bps)} || ', ' || {_at(bpe)} || ')'"
    return [
        f"CASE WHEN {bpe} <= {bps} THEN "
        + said(
            "BillingPeriodEnd", f"{_at(bpe)} || ' is not after BillingPeriodStart ' || {_at(bps)}"
        )
        + " END",
        f"CASE WHEN {cpe} < {cps} THEN "
        + said("ChargePeriodEnd", f"{_at(cpe)} || ' is before ChargePeriodStart ' || {_at(cps)}")
        + " END",
        f"CASE WHEN {bpe} > {bps} AND {cps} >= {bpe} THEN "
        + said(
            "ChargePeriodStart",
            f"{_at(cps)} || ' is after the billing period ' || {period} || ' that bills it'",
        )
        + " END",
        f"CASE WHEN {bpe} > {bps} AND {cps} < {bpe} AND {cpe} > {bpe} AND NOT {one_time} THEN "
        + said(
            "ChargePeriodEnd",
            f"{_at(cpe)} || ' is after the billing period ' || {period} "
            "|| ' (only a One-Time charge may pay for a longer term)'",
        )
        + " END",
    ]
