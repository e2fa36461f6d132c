"""Precision and recall of found anomalies against the fleet's planted ones (anomalies.json).

- recall: the share of planted anomalies whose tenant and domain are reported on at
  least one day from its `first_day` to its `last_day`;
- precision: the share of reported anomalies that fall in a planted one's days: a
  tenant's in its own, a cluster's in one of a tenant on that cluster, same domain; or a
  planted tenant's share of shared cost (driver `(shared)`, ...) in its planted days, in
  any domain: the weighted shared rule spreads shared cost by direct cost, so the
  planted cost itself moved that share.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costplane.insight.anomalies import Anomaly


@dataclass(frozen=True)
class Score:
    planted: int
    found: int
    recalled: int
    true_found: int

    @property
    def precision(self) -> float:
        return self.true_found / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.planted if self.planted else 1.0


def planted(fleet: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((fleet / "anomalies.json").read_text())
    for record in records:
        record["first_day"] = dt.date.fromisoformat(record["first_day"])
        record["last_day"] = dt.date.fromisoformat(record["last_day"])
    return records


def _matches(found: Anomaly, plant: dict[str, Any]) -> bool:
    if not plant["first_day"] <= found.day <= plant["last_day"]:
        return False
    if found.tenant == plant["tenant"] and found.driver.startswith("("):
        return True  # its share of shared cost, moved by the planted direct cost
    if found.cost_domain != plant["cost_domain"]:
        return False
    if found.tenant is not None:
        return bool(found.tenant == plant["tenant"])
    return bool(found.cluster == plant["cluster"])


def score(plants: list[dict[str, Any]], found: tuple[Anomaly, ...]) -> Score:
    recalled = sum(
        1 for plant in plants if any(a.tenant is not None and _matches(a, plant) for a in found)
    )
    true_found = sum(1 for a in found if any(_matches(a, plant) for plant in plants))
    return Score(len(plants), len(found), recalled, true_found)
