"""deploy/grafana/costplane.json: every query in it parses as PromQL (promtool, each written
as a recording rule after its template variables are substituted) and names only metrics
the endpoint exposes with samples over the demo; every exposed metric is documented."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from costplane.service import Project
from costplane.settings import Settings
from costplane.surfaces.metrics import FAMILIES, metrics_registry
from tests.conftest import Demo
from tests.metrics.serving import demo_copy
from tests.sources.prometheus.server import binaries

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "costplane.json"
DOCS = ROOT / "docs" / "metrics.md"

VARIABLES = {
    "tenant": ".*",  # the template variable: every tenant, as its "All" does
    "__interval": "1m",
    "__rate_interval": "1m",
    "__range": "1d",
}
"""What each template or built-in variable is replaced by before promtool reads a query."""

METRIC = re.compile(r"\bcostplane_[a-zA-Z0-9_]+")


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panels(within: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in within:
        yield panel
        yield from panels(panel.get("panels", []))


def queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and template variable query."""
    found = [
        (f"panel {panel['title']!r} {target['refId']}", target["expr"])
        for panel in panels(dashboard()["panels"])
        for target in panel.get("targets", [])
    ]
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]
        text = query["query"] if isinstance(query, dict) else query
        # Grafana's label_values(selector, label) runs the selector's series query
        match = re.fullmatch(r"label_values\((.+),\s*\w+\)", text.strip())
        found.append((f"variable {variable['name']!r}", match.group(1) if match else text))
    return found


def substituted(expr: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in VARIABLES, f"{expr}: unknown variable {name}"
        return VARIABLES[name]

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", value, expr)


def test_every_query_parses_as_promql(tmp_path: Path) -> None:
    promtool, _ = binaries()
    found = queries()
    assert len(found) >= 20
    rules = [
        {"record": f"dashboard_query_{n}", "expr": substituted(expr)}
        for n, (_, expr) in enumerate(found)
    ]
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(rules)} rules found" in done.stdout


def test_promtool_refuses_a_broken_query(tmp_path: Path) -> None:
    """The check above can fail: a query with a stray parenthesis is refused."""
    promtool, _ = binaries()
    path = tmp_path / "broken.rules.yml"
    rule = {"record": "broken", "expr": "sum by (tenant) (costplane_tenant_cost"}
    path.write_text(yaml.safe_dump({"groups": [{"name": "broken", "rules": [rule]}]}))
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0


@pytest.fixture(scope="module")
def exposed(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Per metric the endpoint exposes over the demo (with collector runs), its samples."""
    home = demo_copy(demo.home, tmp_path_factory.mktemp("metrics-dashboard"))
    text = generate_latest(metrics_registry(Project(Settings(home=home)))).decode()
    return {family.name: len(family.samples) for family in text_string_to_metric_families(text)}


def test_every_query_names_only_exposed_metrics(exposed: dict[str, int]) -> None:
    named = {name for _, expr in queries() for name in METRIC.findall(expr)}
    assert named, "the dashboard names no costplane metric"
    assert named <= {name for name, samples in exposed.items() if samples}
    # the dashboard shows costs, waste, budgets and sources: each family of them at least once
    for needed in (
        "costplane_allocated_cost",
        "costplane_tenant_cost",
        "costplane_untenanted_cost",
        "costplane_findings_monthly_waste",
        "costplane_budget_used_ratio",
        "costplane_source_age_seconds",
    ):
        assert needed in named


def test_every_declared_metric_is_exposed_with_samples(exposed: dict[str, int]) -> None:
    assert set(exposed) == {family.name for family in FAMILIES}
    assert not [name for name, samples in exposed.items() if not samples]


def test_every_metric_and_label_is_documented() -> None:
    docs = DOCS.read_text()
    for family in FAMILIES:
        assert f"`{family.name}`" in docs, family.name
        for label in family.labels:
            assert f"`{label}`" in docs, (family.name, label)


def test_the_dashboard_takes_its_datasource_and_tenants_as_variables() -> None:
    board = dashboard()
    assert board["schemaVersion"] >= 39
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["tenant"]["definition"].startswith("label_values(costplane_tenant_cost,")
    assert variables["tenant"]["multi"]
    ids = [panel["id"] for panel in panels(board["panels"])]
    assert len(ids) == len(set(ids))
    for panel in panels(board["panels"]):
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"])
    cells = set()
    for panel in panels(board["panels"]):
        box = panel["gridPos"]
        assert box["x"] + box["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(box["x"], box["x"] + box["w"])
            for y in range(box["y"], box["y"] + box["h"])
        }
        assert not mine & cells, f"{panel['title']!r} overlaps another panel"
        cells |= mine
