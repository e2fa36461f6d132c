"""Anomalies: days whose cost ran above a robust, weekday-adjusted baseline, with the excess
money and its driver (docs/budgets.md). Reads the `allocations` table (and the bill, for a
driver no namespace carries); writes nothing."""

from costplane.insight.anomalies.baseline import Sensitivity
from costplane.insight.anomalies.detect import Anomalies, Anomaly, find_anomalies

__all__ = ["Anomalies", "Anomaly", "Sensitivity", "find_anomalies"]
