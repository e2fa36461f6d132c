"""Objects, a command line with the `act` and `audit` groups, and stores to audit into."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from costplane.service import Project
from costplane.settings import Settings
from costplane.state import state_engine, upgrade
from costplane.surfaces.cli import act, audit
from costplane.surfaces.cli.app import CostplaneGroup
from tests.kubeapi import kube_api  # noqa: F401  (the fixture)

NAMESPACE = "acme-dev"


def deployment(name: str, replicas: int | None = 3, namespace: str = NAMESPACE) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": name, "image": f"registry.example/{name}:17.0"}]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": spec,
    }


def statefulset(name: str, replicas: int = 1, namespace: str = NAMESPACE) -> dict[str, Any]:
    obj = deployment(name, replicas, namespace)
    obj["kind"] = "StatefulSet"
    obj["spec"]["serviceName"] = name
    return obj


def cronjob(name: str, suspend: bool | None = None, namespace: str = NAMESPACE) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "schedule": "0 3 * * *",
        "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never"}}}},
    }
    if suspend is not None:
        spec["suspend"] = suspend
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def snapshot(name: str, namespace: str = NAMESPACE) -> dict[str, Any]:
    return {
        "apiVersion": "snapshot.storage.k8s.io/v1",
        "kind": "VolumeSnapshot",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "creationTimestamp": "2025-03-01T02:00:00Z",
        },
        "spec": {"source": {"persistentVolumeClaimName": "odoo-filestore"}},
        "status": {"readyToUse": True, "restoreSize": "20Gi"},
    }


def fresh(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)


RunCli = Callable[..., Any]


def _root(home: Path) -> typer.Typer:
    """The two groups under a root like costplane's own (the lead registers them in app.py)."""
    root = typer.Typer(cls=CostplaneGroup, pretty_exceptions_enable=False)

    @root.callback()
    def _project(ctx: typer.Context) -> None:
        ctx.obj = Project(settings=Settings(home=home))

    root.add_typer(act.app, name="act")
    root.add_typer(audit.app, name="audit")
    return root


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """`cli("act", "run", ...)`: in-process, project in tmp_path, stdout and stderr apart."""
    for name in ("COSTPLANE_HOME", "COSTPLANE_STATE_URL", "COSTPLANE_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "project"
    home.mkdir()
    app = _root(home)

    def run(*args: str, env: dict[str, str] | None = None) -> Any:
        return CliRunner().invoke(app, list(args), env=env)

    run.home = home  # type: ignore[attr-defined]
    return run


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Engine:
    engine = state_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(engine)
    return engine


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Engine]:
    engine = state_engine(postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Engine:
    """The state store on each engine it runs on."""
    fixture = "sqlite_store" if request.param == "sqlite" else "postgres_store"
    engine: Engine = request.getfixturevalue(fixture)
    return engine
