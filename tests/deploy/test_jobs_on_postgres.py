"""The deployment's pods as they run, on this machine's PostgreSQL and Redis: the server's
init container (`db upgrade`), then the jobs that need no cluster (`collect postgres`,
`collect redis`, `allocate`, `govern`), each with its container's command line and
environment from the rendered base, the Secrets' values pointing at the real services and
the project directory laid out as the pod mounts it. Nothing may be written outside the
writable mounts: the project directory keeps only the catalog."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, Run, _admin_connection
from tests.deploy.kustomize import build
from tests.deploy.test_manifests import HOME, KUBERNETES, _containers, _expanded, _pod_specs

JOBS = ("collect-postgres", "collect-redis", "allocate", "govern")


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two scratch databases, the state store's and the warehouse's, as docs/deploy.md
    recommends; dropped afterwards."""
    admin = _admin_connection()
    names = [f"costplane_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{base}/{names[0]}", f"{base}/{names[1]}"
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(
    container: dict[str, Any], objects: list[dict[str, Any]], secrets: dict[str, str], home: Path
) -> dict[str, str]:
    config_maps = {o["metadata"]["name"]: o["data"] for o in objects if o["kind"] == "ConfigMap"}
    values = {}
    for variable in container["env"]:
        source = variable.get("valueFrom", {})
        if "secretKeyRef" in source:
            values[variable["name"]] = secrets[source["secretKeyRef"]["key"]]
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            values[variable["name"]] = config_maps[ref["name"]][ref["key"]]
        else:
            values[variable["name"]] = variable["value"]
    assert values["COSTPLANE_HOME"] == HOME
    values["COSTPLANE_HOME"] = str(home)  # the emptyDir, here
    return values


@pytest.mark.postgres
@pytest.mark.redis
def test_the_init_container_and_the_jobs_run_on_postgresql(
    cli: Run, databases: tuple[str, str], redis_url: str, tmp_path: Path
) -> None:
    objects = build(KUBERNETES / "base")
    specs = _pod_specs(objects)
    [catalog] = [o for o in objects if o["metadata"]["name"].startswith("costplane-catalog-")]
    home = tmp_path / "home"
    home.mkdir()
    (home / "costplane.yaml").write_text(catalog["data"]["costplane.yaml"])
    state_url, warehouse_url = databases
    secrets = {
        "state-url": state_url,
        "warehouse-url": warehouse_url,
        "postgres-dsn": warehouse_url,
        "redis-url": redis_url,
    }

    [upgrade] = specs["costplane-server"]["initContainers"]
    results = {}
    for name, container in [("db-upgrade", upgrade)] + [
        (job, _containers(specs[f"costplane-{job}"])[0]) for job in JOBS
    ]:
        environment = _environment(container, objects, secrets, home)
        args = [_expanded(a, environment) for a in container["args"]]
        output = ["--output", "json"] if name != "db-upgrade" else []
        result = cli(*args, *output, env=environment)
        assert result.exit_code == 0, (name, result.stderr)
        assert "CHANGE-ME" not in result.stdout + result.stderr
        results[name] = result.stdout

    assert "state store" in results["db-upgrade"]
    postgres = json.loads(results["collect-postgres"])
    assert postgres["partial"] is False
    assert json.loads(results["collect-redis"])["partial"] is False
    assert isinstance(json.loads(results["govern"]), list)
    assert sorted(p.name for p in home.iterdir()) == ["costplane.yaml"]
    # the runs are in the state store the server reads: what `sources status` shows
    environment = _environment(upgrade, objects, secrets, home)
    status = cli("sources", "status", "--output", "json", env=environment)
    assert status.exit_code == 0, status.stderr
    systems = {row["source"] for row in json.loads(status.stdout)}
    assert {"postgres", "redis"} <= systems
