"""Action plans through the API: dry runs only, the CLI's plan, for the roles that plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from costplane.actions.sleep import SLEEP_STATE
from costplane.service import audit_entries
from costplane.surfaces.cli import app
from costplane.surfaces.server import ObjectSource, create_app
from tests.actions.conftest import NAMESPACE, cronjob, deployment
from tests.conftest import Demo
from tests.surfaces.server.conftest import Served, serve_copy


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("manifests")
    objects = [deployment("odoo-web", 3), cronjob("odoo-cron")]
    (directory / "workloads.yaml").write_text("\n---\n".join(json.dumps(o) for o in objects))
    return directory


@pytest.fixture(scope="module")
def served(
    demo: Demo, manifests: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    done = serve_copy(demo, tmp_path_factory.mktemp("plans") / "demo")
    done.client.__exit__(None, None, None)
    planning = create_app(done.project, ObjectSource(manifests=manifests))
    done.client = TestClient(planning, raise_server_exceptions=False)
    done.client.__enter__()
    yield done
    done.close()


def _slept_at(plan: dict[str, Any], since: dt.datetime) -> dict[str, Any]:
    """The plan with each saved state's time checked to be this run's and then left out.

    Sleep records when it was planned; the API's plan and the CLI's are made a moment
    apart and may straddle a second.
    """
    for change in plan["changes"]:
        for side in ("patch", "after"):
            annotations = change[side]["metadata"]["annotations"]
            state = json.loads(annotations[SLEEP_STATE])
            at = dt.datetime.fromisoformat(state.pop("at"))
            assert since <= at <= dt.datetime.now(dt.UTC), at
            annotations[SLEEP_STATE] = state
    return plan


def test_a_plan_is_the_cli_dry_run_and_applies_nothing(served: Served, manifests: Path) -> None:
    body = {"action": "sleep", "namespaces": [NAMESPACE]}
    logged = audit_entries(served.project, None)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    answer = served.client.post("/api/v1/actions/plan", json=body, headers=served.auth("engineer"))
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert plan["mode"] == "dry-run"
    where = ["--manifests", str(manifests), "-o", "json"]
    printed = CliRunner().invoke(
        app, ["--home", str(served.home), "act", "run", "sleep", "-n", NAMESPACE, *where]
    )
    assert printed.exit_code == 0, printed.stderr
    assert _slept_at(plan, since) == _slept_at(json.loads(printed.stdout), since)
    assert sorted(c["name"] for c in plan["changes"]) == ["odoo-cron", "odoo-web"]
    assert audit_entries(served.project, None) == logged


@pytest.mark.parametrize("role", ["finance", "viewer", "tenant"])
def test_roles_that_do_not_plan_get_403(served: Served, role: str) -> None:
    body = {"action": "sleep", "namespaces": [NAMESPACE]}
    answer = served.client.post("/api/v1/actions/plan", json=body, headers=served.auth(role))
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"action": "explode", "namespaces": [NAMESPACE]}, 400, "explode"),
        ({"action": "sleep"}, 400, "give a FILE of findings or targets, or --namespace"),
        ({"action": "sleep", "findings": ["999999"]}, 404, "no finding"),
        ({"action": "sleep", "namespaces": [NAMESPACE], "apply": True}, 422, "apply"),
    ],
)
def test_a_bad_plan_is_a_problem(
    served: Served, body: dict[str, object], status: int, says: str
) -> None:
    answer = served.client.post("/api/v1/actions/plan", json=body, headers=served.auth("admin"))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert says in answer.json()["detail"]
