"""The later capabilities over the API: each answers its CLI command's JSON, a tenant's
token gets its own tenant's rows of the per-tenant ones and a 403 for the host's, a
statement comes as the document the CLI writes, and hostile input is a 4xx problem."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import DEMO_PERIOD
from tests.surfaces.server.conftest import TENANT, Served
from tests.surfaces.server.test_api import api_json, assert_problem, cli_json

PERIOD = DEMO_PERIOD
ROLES = ("admin", "finance", "engineer", "viewer", "tenant")


@pytest.mark.parametrize(
    ("command", "url"),
    [
        (["report", "entitlements", "--period", PERIOD], f"/api/v1/entitlements?period={PERIOD}"),
        (["report", "dr", "--period", PERIOD], f"/api/v1/dr?period={PERIOD}"),
        (["recommend", "workloads"], "/api/v1/recommendations/workloads"),
        (
            ["recommend", "workloads", "--strategy", "simple", "--percentile", "90"],
            "/api/v1/recommendations/workloads?strategy=simple&percentile=90",
        ),
        (["recommend", "nodes", "--headroom", "30"], "/api/v1/recommendations/nodes?headroom=30"),
        (["recommend", "commitments"], "/api/v1/recommendations/commitments"),
        (["recommend", "placement"], "/api/v1/recommendations/placement"),
        (["forecast", "databases", "--horizon", "12w"], "/api/v1/forecasts/databases?horizon=12w"),
        (["forecast", "spend"], "/api/v1/forecasts/spend"),
        (["budgets", "status", "--no-record"], "/api/v1/budgets"),
        (["drift"], "/api/v1/drift"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_each_capability_is_the_cli_json(served: Served, command: list[str], url: str) -> None:
    assert api_json(served, url) == cli_json(served, *command)


def test_anomalies_are_the_cli_json_with_its_notes(served: Served) -> None:
    answered = api_json(served, f"/api/v1/anomalies?period={PERIOD}")
    notes = answered.pop("notes")
    assert answered == cli_json(served, "anomalies", "--period", PERIOD)
    # October's first days have no weeks before them to be judged against: the CLI says so.
    assert any("too little history" in note for note in notes), notes


def rows_of(document: dict[str, Any], key: str, tenant: str) -> list[Any]:
    return [row for row in document[key] if row["tenant"] == tenant]


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (f"/api/v1/entitlements?period={PERIOD}", "tenants"),
        (f"/api/v1/dr?period={PERIOD}", "tenants"),
        ("/api/v1/recommendations/workloads", "containers"),
        ("/api/v1/forecasts/databases", "databases"),
    ],
)
def test_a_tenant_gets_its_own_rows_of_the_whole(served: Served, url: str, key: str) -> None:
    whole = api_json(served, url)
    assert len({row["tenant"] for row in whole[key]}) > 10
    mine = api_json(served, url, "tenant")
    assert mine[key] == rows_of(whole, key, TENANT) != []
    join = "&" if "?" in url else "?"
    assert api_json(served, f"{url}{join}tenant={TENANT}") == mine
    other = next(row["tenant"] for row in whole[key] if row["tenant"] != TENANT)
    refused = served.get(f"{url}{join}tenant={other}", "tenant")
    assert refused.status_code == 403
    assert_problem(refused.json(), 403, refused.headers)
    unknown = served.get(f"{url}{join}tenant=no-such-tenant")
    assert unknown.status_code == 404
    assert "no tenant 'no-such-tenant'" in unknown.json()["detail"]


# Who may ask what: docs/serving.md's roles table for these routes, written out on its own.
RIGHTS = {
    f"/api/v1/entitlements?period={PERIOD}": set(ROLES),
    f"/api/v1/dr?period={PERIOD}": set(ROLES),
    "/api/v1/recommendations/workloads": set(ROLES),
    "/api/v1/forecasts/databases": set(ROLES),
    "/api/v1/recommendations/nodes": {"admin", "finance", "engineer", "viewer"},
    "/api/v1/recommendations/commitments": {"admin", "finance", "engineer", "viewer"},
    "/api/v1/forecasts/spend": {"admin", "finance", "engineer", "viewer"},
    "/api/v1/budgets": {"admin", "finance", "engineer", "viewer"},
    f"/api/v1/anomalies?period={PERIOD}": {"admin", "finance", "engineer", "viewer"},
    "/api/v1/recommendations/placement": {"admin", "finance"},
    "/api/v1/drift": {"admin", "engineer"},
    f"/api/v1/tenants/{TENANT}/statement?period={PERIOD}&format=html": {
        "admin",
        "finance",
        "tenant",
    },
}


@pytest.mark.parametrize("url", RIGHTS)
def test_each_role_gets_what_it_may_and_403_otherwise(served: Served, url: str) -> None:
    for role in ROLES:
        answer = served.get(url, role)
        expected = 200 if role in RIGHTS[url] else 403
        assert answer.status_code == expected, (role, answer.text)
        if expected == 403:
            assert_problem(answer.json(), 403, answer.headers)
            assert f"the role {role} may not" in answer.json()["detail"]


def test_a_statement_is_the_tenants_charge_in_each_format(served: Served) -> None:
    url = f"/api/v1/tenants/{TENANT}/statement?period={PERIOD}"
    chargeback = api_json(served, f"/api/v1/cost/chargeback?period={PERIOD}&tenant={TENANT}")
    [charge] = chargeback["tenants"]
    name = served.project.catalog().tenant(TENANT).name  # type: ignore[union-attr]
    html = served.get(url + "&format=html", "tenant")
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert name in html.text
    assert f"{charge['total']}" in html.text.replace(",", "")
    xlsx = served.get(url + "&format=xlsx", "tenant")
    assert xlsx.headers["content-disposition"] == (
        f'attachment; filename="statement-{TENANT}-{PERIOD}.xlsx"'
    )
    cells = [
        str(cell)
        for sheet in load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert f"Statement {PERIOD}: {name}" in cells
    pdf = served.get(url, "finance")  # the default format
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("url", "role", "status", "says"),
    [
        (f"/api/v1/tenants/no-such-tenant/statement?period={PERIOD}", "admin", 404, "no tenant"),
        (f"/api/v1/tenants/{TENANT}/statement?period={PERIOD}&format=docx", "admin", 422, "format"),
        (f"/api/v1/tenants/{TENANT}/statement?period=2026-13", "admin", 400, "expected a month"),
        (f"/api/v1/tenants/{TENANT}/statement", "admin", 422, "query.period"),
        ("/api/v1/entitlements?period=2026-13", "admin", 400, "expected a month"),
        ("/api/v1/entitlements?period=october", "admin", 422, "query.period"),
        ("/api/v1/dr?period=0001-01", "admin", 400, "outside the months"),
        ("/api/v1/dr?period=2026-10&tenant=no-such-tenant", "tenant", 403, "sees that tenant"),
        ("/api/v1/recommendations/workloads?strategy=magic", "admin", 400, "strategy"),
        ("/api/v1/recommendations/workloads?percentile=0", "admin", 422, "query.percentile"),
        ("/api/v1/recommendations/workloads?window=100000", "admin", 422, "query.window"),
        ("/api/v1/recommendations/nodes?headroom=100", "admin", 422, "query.headroom"),
        ("/api/v1/recommendations/nodes?requests=some", "admin", 422, "query.requests"),
        ("/api/v1/recommendations/commitments?days=5", "admin", 422, "query.days"),
        ("/api/v1/recommendations/placement?period=2026-13", "admin", 400, "expected a month"),
        ("/api/v1/forecasts/databases?horizon=forever", "admin", 400, "horizon"),
        ("/api/v1/forecasts/databases?horizon=99999d", "admin", 400, "horizon"),
        ("/api/v1/forecasts/databases?environment=moon", "admin", 400, "environment"),
        ("/api/v1/budgets?period=26-10", "admin", 422, "query.period"),
        ("/api/v1/anomalies?period=2026-10&k=-1", "admin", 422, "query.k"),
        ("/api/v1/anomalies?period=2026-10&k=NaN", "admin", 422, "query.k"),
        ("/api/v1/drift?tenant=no-such-tenant", "admin", 404, "no tenant"),
        ("/api/v1/findings?limit=1000000", "admin", 422, "query.limit"),
        ("/api/v1/findings?tenant=" + "x" * 5000, "admin", 422, "query.tenant"),
        ("/api/v1/tenants?junk=" + "x" * 20000, "admin", 414, "query string"),
        (f"/api/v1/cost/showback?period={PERIOD}&" + "a=b&" * 3000, "tenant", 414, "query"),
    ],
)
def test_hostile_input_is_a_4xx_problem(
    served: Served, url: str, role: str, status: int, says: str
) -> None:
    answer = served.get(url, role)
    assert answer.status_code == status, answer.text[:500]
    assert_problem(answer.json(), status, answer.headers)
    assert says in answer.json()["detail"]
    assert 'File "' not in answer.text  # no traceback's frames either


def test_a_body_larger_than_any_route_needs_is_refused_unread(served: Served) -> None:
    """A plan of a thousand namespaces is about 70 KB; a body over 1 MiB is refused (413)
    whether it declares its length or comes in chunks without one."""
    url, headers = "/api/v1/actions/plan", served.auth("engineer")
    names = [f"tenant-{n:04}-{'x' * 48}" for n in range(1000)]
    plan = {"action": "sleep", "namespaces": names}
    fits = served.client.post(url, json=plan, headers=headers)
    assert fits.status_code != 413  # read and judged: no cluster here to read objects from
    huge = {"action": "sleep", "namespaces": ["x" * 2048] * 1000}  # 2 MB
    declared = served.client.post(url, json=huge, headers=headers)
    body = json.dumps(huge).encode()
    chunked = served.client.post(
        url,
        content=(body[i : i + 65536] for i in range(0, len(body), 65536)),
        headers={**headers, "Content-Type": "application/json"},
    )
    for answer in (declared, chunked):
        assert answer.status_code == 413, answer.text[:300]
        assert_problem(answer.json(), 413, answer.headers)
        assert "larger than 1048576 bytes" in answer.json()["detail"]
