"""The API over PostgreSQL (state store and warehouse on the server): tokens, a report and
findings, the same as the service's documents for the same question."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from costplane.service import (
    FindingsQuery,
    Project,
    ReportRequest,
    Role,
    TokenRequest,
    chargeback_document,
    chargeback_report,
    create_token,
    finding_document,
    kept_findings,
    run_demo,
    to_document,
)
from costplane.settings import Settings
from costplane.state import state_engine, upgrade
from costplane.surfaces.server import create_app
from costplane_fleet import FleetSpec

SPEC = FleetSpec(tenants=4, days=2, seed=3, start=dt.date(2026, 10, 1))


@pytest.mark.postgres
def test_the_api_serves_a_project_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    engine = state_engine(postgres_url)
    upgrade(engine)  # a configured server is migrated by `costplane db upgrade`
    engine.dispose()
    settings = Settings(home=tmp_path / "pg", state_url=postgres_url, warehouse_url=postgres_url)
    project = Project(settings)
    demo = run_demo(project, SPEC)
    tenant = demo.catalog.tenants[0].id
    admin = create_token(project, TokenRequest(Role.ADMIN)).token
    mine = create_token(project, TokenRequest(Role.TENANT, tenant)).token
    expected = to_document(
        chargeback_document(chargeback_report(project, ReportRequest.of("2026-10")))
    )
    with TestClient(create_app(project), raise_server_exceptions=False) as client:
        answer = client.get(
            "/api/v1/cost/chargeback?period=2026-10", headers={"Authorization": f"Bearer {admin}"}
        )
        assert answer.status_code == 200, answer.text
        assert {**answer.json(), "notes": None} == {**expected, "notes": None}
        assert len(expected["tenants"]) == 4
        own = client.get("/api/v1/findings?all=true", headers={"Authorization": f"Bearer {mine}"})
        assert own.status_code == 200, own.text
        kept = kept_findings(project, FindingsQuery(statuses=None, tenant=tenant))
        assert [f["id"] for f in own.json()["items"]] == [f.id for f in kept]
        assert own.json()["items"] == [
            {k: v for k, v in to_document(finding_document(f)).items() if k != "history"}
            for f in kept
        ]
        assert client.get("/readyz").json()["status"] == "ready"
    project.close()
