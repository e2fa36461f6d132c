"""`costplane recommend workloads` on the demo project (read only): the issue's JSON shape,
the filters, CSV, the patches, and the findings of `requests-oversized` equal to the
command's savings for the same workloads."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from costplane.surfaces.cli import app

FIELDS = [
    "tenant",
    "namespace",
    "kind",
    "workload",
    "container",
    "cpu_request",
    "cpu_recommended",
    "memory_request",
    "memory_recommended",
    "samples",
    "monthly_saving",
    "risk",
]
QUANTITY = re.compile(r"^[0-9]+(m|Ki|Mi|Gi|Ti)?$")


def run(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def document(demo_home: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        run(demo_home, "recommend", "workloads", "--prices", "sheet", "-o", "json").stdout
    )
    return found


def test_the_json_has_the_issues_shape(document: dict[str, Any]) -> None:
    assert list(document)[:3] == ["currency", "window", "containers"]
    assert document["currency"] == "EUR"
    assert document["window"] == {"start": "2026-10-17T00:00:00", "end": "2026-10-31T00:00:00"}
    containers = document["containers"]
    assert len(containers) > 100
    for row in containers:
        assert list(row)[: len(FIELDS)] == FIELDS
        for key in ("cpu_request", "cpu_recommended", "memory_request", "memory_recommended"):
            assert row[key] is None or QUANTITY.match(row[key]), (key, row[key])
        if row["monthly_saving"] is not None:
            assert Decimal(row["monthly_saving"]) >= 0
            assert re.match(r"^[0-9]+\.[0-9]{2}$", row["monthly_saving"])
        assert row["risk"] in (None, "oom-kill", "throttling", "oom-kill, throttling")


def kept_findings(demo_home: Path) -> list[dict[str, Any]]:
    """Every finding the demo keeps, suppressed ones too: the README's tour, which shares the
    demo, suppresses the one with the most money, and that may be the oversized cron."""
    findings: list[dict[str, Any]] = json.loads(
        run(demo_home, "findings", "list", "--all", "-o", "json").stdout
    )
    return [f for f in findings if f["status"] != "resolved"]


def test_oversized_findings_are_the_commands_savings(
    demo_home: Path, document: dict[str, Any]
) -> None:
    findings = kept_findings(demo_home)
    oversized = [f for f in findings if f["policy"] == "requests-oversized"]
    assert oversized, "the demo plants an oversized odoo-cron"
    for finding in oversized:
        mine = [
            c
            for c in document["containers"]
            if (c["namespace"], c["kind"], c["workload"])
            == (finding["namespace"], finding["kind"], finding["name"])
        ]
        total = sum(Decimal(c["monthly_saving"]) for c in mine)
        # each container's saving is rounded to a cent, the finding's total once
        assert abs(total - Decimal(finding["monthly_waste"])) <= Decimal("0.01") * len(mine)
        assert all(c["risk"] is None for c in mine)


def test_a_tenant_and_csv(demo_home: Path, document: dict[str, Any]) -> None:
    tenant = next(c["tenant"] for c in document["containers"] if c["tenant"])
    result = run(demo_home, "recommend", "workloads", "--tenant", tenant, "-o", "csv")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cluster,tenant,namespace,kind,workload,container,pods,")
    expected = [c for c in document["containers"] if c["tenant"] == tenant]
    assert len(lines) - 1 == len(expected) > 0
    assert all(f",{tenant}," in line for line in lines[1:])


def test_gitops_writes_the_patches(demo_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "gitops"
    findings = kept_findings(demo_home)
    finding = next(f for f in findings if f["policy"] == "requests-oversized")
    ns = finding["namespace"]
    result = run(
        demo_home, "recommend", "workloads", "--namespace", ns, "--gitops", str(out), "-o", "json"
    )
    rows = {(c["workload"], c["container"]): c for c in json.loads(result.stdout)["containers"]}
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    paths = {p["path"]: p["target"] for p in kustomization["patches"]}
    path = f"patches/rightsize/{ns}/deployment-{finding['name']}.yaml"
    assert paths[path]["name"] == finding["name"]
    # a merge patch replaces lists whole: written as RFC 6902 operations (docs/actions.md)
    (operation,) = yaml.safe_load((out / path).read_text())
    assert (operation["op"], operation["path"]) == ("add", "/spec/template/spec/containers")
    (container,) = operation["value"]
    row = rows[(finding["name"], container["name"])]
    assert container["resources"]["requests"] == {
        "cpu": row["cpu_recommended"],
        "memory": row["memory_recommended"],
    }
    assert container["resources"]["limits"] == {"memory": row["memory_recommended"]}


def test_an_unknown_strategy_is_refused(demo_home: Path) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(demo_home), "recommend", "workloads", "--strategy", "vpa"]
    )
    assert result.exit_code == 2
    assert "unknown strategy 'vpa'" in result.stderr
