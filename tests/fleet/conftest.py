"""Fleets shared by the fleet tests (generated once per session; they take a second or two)
and the helpers that read them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from costplane_fleet import FleetSpec, FleetSummary, generate_fleet

START = dt.date(2025, 5, 20)

Kubectl = Callable[[Path, str], list[dict[str, Any]]]
"""kubectl(fleet directory, resource) -> the items of both clusters, each with `_cluster`."""


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> FleetSummary:
    """40 tenants over 16 days: every planted kind, and enough history for the 14-day rules."""
    return generate_fleet(FleetSpec(40, 16, 7, START), tmp_path_factory.mktemp("fleet40"))


@pytest.fixture(scope="session")
def small_fleet(tmp_path_factory: pytest.TempPathFactory) -> FleetSummary:
    return generate_fleet(FleetSpec(12, 3, 3, START), tmp_path_factory.mktemp("fleet12"))


def _kubectl(out: Path, resource: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for cluster in sorted((out / "kubernetes").iterdir()):
        doc = json.loads((cluster / f"{resource}.json").read_text())
        assert doc["kind"] == "List"
        assert doc["apiVersion"] == "v1"
        for item in doc["items"]:
            item["_cluster"] = cluster.name
        items.extend(doc["items"])
    return items


@pytest.fixture(scope="session")
def kubectl() -> Kubectl:
    """Reads a fleet's `kubernetes/<cluster>/<resource>.json` like `kubectl get -A` would."""
    return _kubectl
