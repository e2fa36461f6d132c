"""The API answers what the CLI answers, pages its lists, and says what is wrong as a
problem document, for the roles that may ask."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from tests.conftest import DEMO_PERIOD
from tests.surfaces.server.conftest import TENANT, Served

PERIOD = DEMO_PERIOD


def cli_json(served: Served, *args: str) -> Any:
    printed = CliRunner().invoke(app, ["--home", str(served.home), *args, "-o", "json"])
    assert printed.exit_code == 0, printed.stderr
    return json.loads(printed.stdout)


def api_json(served: Served, url: str, role: str = "admin") -> Any:
    answer = served.get(url, role)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    return answer.json()


@pytest.mark.parametrize(
    ("command", "url"),
    [
        (["report", "showback"], "/api/v1/cost/showback"),
        (["report", "showback", "--by", "tenant,environment,domain"], "/api/v1/cost/showback"),
        (["report", "chargeback"], "/api/v1/cost/chargeback"),
        (["report", "chargeback", "--by", "tenant,service-class"], "/api/v1/cost/chargeback"),
        (["report", "unit-cost"], "/api/v1/cost/unit-cost"),
        (["report", "reconcile"], "/api/v1/reconcile"),
        (["report", "margin"], "/api/v1/margin"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_a_report_is_the_cli_json(served: Served, command: list[str], url: str) -> None:
    by = command[command.index("--by") + 1] if "--by" in command else None
    query = f"?period={PERIOD}" + (f"&by={by}" if by else "")
    answered = api_json(served, url + query)
    notes = answered.pop("notes")
    assert answered == cli_json(served, *command, "--period", PERIOD)
    # The demo allocates 30 of October's 31 days: the API says so, as the CLI does on stderr.
    assert notes == [
        "30 of 31 days of 2026-10 are allocated (2026-10-01 to 2026-10-30); "
        + (
            "a day not allocated shows its bill as difference"
            if url.endswith("reconcile")
            else "the report covers those days"
        )
    ]


def test_a_tenant_narrowed_chargeback_is_its_lines_of_the_whole(served: Served) -> None:
    whole = api_json(served, f"/api/v1/cost/chargeback?period={PERIOD}")
    narrowed = api_json(served, f"/api/v1/cost/chargeback?period={PERIOD}&tenant={TENANT}")
    assert narrowed["lines"] == [line for line in whole["lines"] if line["tenant"] == TENANT]
    [row] = [row for row in whole["tenants"] if row["tenant"] == TENANT]
    assert narrowed["tenants"] == [row]
    assert narrowed["total"] == {"cost": row["cost"], "charge": row["total"]}


def test_findings_are_the_cli_list_paged(served: Served) -> None:
    listed = cli_json(served, "findings", "list")
    assert len(listed) > 10
    first = api_json(served, "/api/v1/findings?limit=7")
    assert first["total"] == len(listed)
    assert (first["limit"], first["offset"]) == (7, 0)
    pages = [first["items"]]
    for offset in range(7, len(listed), 7):
        pages.append(api_json(served, f"/api/v1/findings?limit=7&offset={offset}")["items"])
    assert [item for items in pages for item in items] == listed
    beyond = api_json(served, f"/api/v1/findings?offset={len(listed)}")
    assert beyond["items"] == []
    assert beyond["total"] == len(listed)


def test_findings_filter_as_the_cli_does(served: Served) -> None:
    listed = cli_json(served, "findings", "list", "--all")
    tenant = next(f["tenant"] for f in listed if f["tenant"])
    policy = listed[0]["policy"]
    by_tenant = api_json(served, f"/api/v1/findings?all=true&tenant={tenant}&limit=1000")
    assert by_tenant["items"] == [f for f in listed if f["tenant"] == tenant]
    by_policy = api_json(served, f"/api/v1/findings?all=true&policy={policy}&limit=1000")
    assert by_policy["items"] == [f for f in listed if f["policy"] == policy]
    for severity in ("low", "medium", "high", "critical"):
        found = api_json(served, f"/api/v1/findings?all=true&severity={severity}&limit=1000")
        assert found["items"] == [f for f in listed if f["severity"] == severity]


def test_a_finding_is_the_cli_show(served: Served) -> None:
    listed = cli_json(served, "findings", "list")
    reference = listed[3]["id"]
    shown = cli_json(served, "findings", "show", str(reference))
    assert api_json(served, f"/api/v1/findings/{reference}") == shown
    fingerprint = listed[3]["fingerprint"][:12]
    assert api_json(served, f"/api/v1/findings/{fingerprint}") == shown


def test_tenants_and_service_classes_come_from_the_catalog(served: Served) -> None:
    catalog = served.project.catalog()
    tenants = api_json(served, "/api/v1/tenants?limit=1000")
    assert [t["id"] for t in tenants["items"]] == [t.id for t in catalog.tenants]
    assert tenants["total"] == len(catalog.tenants) == 40
    one = api_json(served, f"/api/v1/tenants/{TENANT}")
    assert one["name"] == catalog.tenant(TENANT).name  # type: ignore[union-attr]
    found = api_json(served, "/api/v1/tenants?search=ALPEN")
    assert [t["id"] for t in found["items"]] == [TENANT]
    classes = api_json(served, "/api/v1/service-classes")
    assert [c["id"] for c in classes["items"]] == list(catalog.service_classes)


ADMIN_ONLY = ("/api/v1/sources", "/api/v1/audit")


def test_sources_and_audit_answer_the_host(served: Served) -> None:
    assert api_json(served, "/api/v1/sources") == cli_json(served, "sources", "status")
    assert api_json(served, "/api/v1/audit") == {
        "items": cli_json(served, "audit", "list"),
        "total": 0,
        "limit": 100,
        "offset": 0,
    }


# Who may ask what: the table of docs/serving.md, written out here on its own.
RIGHTS = {
    f"/api/v1/cost/showback?period={PERIOD}": {"admin", "finance", "engineer", "viewer", "tenant"},
    f"/api/v1/cost/chargeback?period={PERIOD}": {
        "admin",
        "finance",
        "engineer",
        "viewer",
        "tenant",
    },
    f"/api/v1/cost/unit-cost?period={PERIOD}": {"admin", "finance", "engineer", "viewer", "tenant"},
    f"/api/v1/reconcile?period={PERIOD}": {"admin", "finance"},
    f"/api/v1/margin?period={PERIOD}": {"admin", "finance"},
    "/api/v1/findings": {"admin", "finance", "engineer", "viewer", "tenant"},
    "/api/v1/tenants": {"admin", "finance", "engineer", "viewer", "tenant"},
    "/api/v1/service-classes": {"admin", "finance", "engineer", "viewer", "tenant"},
    "/api/v1/sources": {"admin", "engineer"},
    "/api/v1/audit": {"admin", "finance"},
}


@pytest.mark.parametrize("url", RIGHTS)
def test_each_role_gets_what_it_may_and_403_otherwise(served: Served, url: str) -> None:
    for role in ("admin", "finance", "engineer", "viewer", "tenant"):
        answer = served.get(url, role)
        expected = 200 if role in RIGHTS[url] else 403
        assert answer.status_code == expected, (role, answer.text)
        if expected == 403:
            assert_problem(answer.json(), 403, answer.headers)
            assert f"the role {role} may not" in answer.json()["detail"]


def assert_problem(body: dict[str, Any], status: int, headers: Any) -> None:
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    assert "Traceback" not in body["detail"]


def test_no_token_is_401_with_a_bearer_challenge(served: Served) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer cpt_0123456789abcdef_" + "A" * 43},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {served.tokens['admin']}"},
        {"Authorization": served.tokens["admin"]},
    ):
        answer = served.client.get("/api/v1/tenants", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert_problem(answer.json(), 401, answer.headers)


def test_the_cookie_holds_the_same_token_and_the_header_wins(served: Served) -> None:
    client = served.client
    client.cookies.set("costplane_token", served.tokens["tenant"])
    try:
        by_cookie = client.get("/api/v1/tenants")
        assert [t["id"] for t in by_cookie.json()["items"]] == [TENANT]
        by_header = client.get("/api/v1/tenants", headers=served.auth("admin"))
        assert by_header.json()["total"] == 40
    finally:
        client.cookies.clear()


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        (f"/api/v1/cost/showback?period={PERIOD}&tenant=no-such-tenant", 404, "no tenant"),
        ("/api/v1/tenants/no-such-tenant", 404, "no tenant"),
        ("/api/v1/findings?tenant=no-such-tenant", 404, "no tenant"),
        ("/api/v1/service-classes/no-such-class", 404, "no service class"),
        ("/api/v1/findings/999999", 404, "no finding"),
        ("/api/v1/findings/12", 200, ""),
        ("/api/v1/findings/" + "9" * 64, 404, "no finding"),  # beyond a SQL integer
        ("/api/v1/findings/%C2%B2", 404, "no finding"),  # '²' is a digit to Python, no number
        ("/api/v1/no-such-route", 404, "Not Found"),
        ("/api/v1/cost/showback?period=2026-13", 400, "expected a month"),
        ("/api/v1/cost/showback?period=1999-01", 400, "allocate"),
        ("/api/v1/cost/showback?period=october", 422, "query.period"),
        ("/api/v1/cost/showback", 422, "query.period: Field required"),
        (f"/api/v1/cost/showback?period={PERIOD}&by=planet", 400, "unknown dimension"),
        (f"/api/v1/cost/showback?period={PERIOD}&by=environment", 400, "must include tenant"),
        ("/api/v1/findings?severity=dire", 422, "query.severity"),
        ("/api/v1/findings?status=sleeping", 422, "query.status"),
        ("/api/v1/findings?limit=1001", 422, "query.limit"),
        ("/api/v1/findings?limit=0", 422, "query.limit"),
        ("/api/v1/findings?offset=-1", 422, "query.offset"),
        ("/api/v1/findings?limit=ten", 422, "query.limit"),
        ("/api/v1/tenants/" + "x" * 300, 422, "path.tenant"),
    ],
)
def test_bad_input_is_a_problem_document(served: Served, url: str, status: int, says: str) -> None:
    answer = served.get(url)
    assert answer.status_code == status, answer.text
    if status != 200:
        assert_problem(answer.json(), status, answer.headers)
        assert says in answer.json()["detail"]


def test_a_wrong_method_is_a_problem_document(served: Served) -> None:
    answer = served.client.delete("/api/v1/findings/1", headers=served.auth("admin"))
    assert answer.status_code == 405
    assert_problem(answer.json(), 405, answer.headers)


def test_health_needs_no_token(served: Served) -> None:
    assert served.client.get("/healthz").json() == {"status": "ok"}
    ready = served.client.get("/readyz").json()
    assert ready == {
        "status": "ready",
        "checks": dict.fromkeys(("catalog", "state", "warehouse", "reports"), "ok"),
    }


def test_me_says_who_the_token_is_and_what_it_may_do(served: Served) -> None:
    assert api_json(served, "/api/v1/me", "tenant") == {
        "subject": "tenant-person",
        "role": "tenant",
        "tenant": TENANT,
        "rights": [
            "read_cost",
            "read_findings",
            "read_catalog",
            "read_entitlements",
            "read_recommendations",
            "read_statements",
        ],
    }
    engineer = api_json(served, "/api/v1/me", "engineer")
    assert engineer["tenant"] is None
    assert set(engineer["rights"]) == {
        "read_cost",
        "read_findings",
        "decide_findings",
        "read_sources",
        "plan_actions",
        "read_catalog",
        "read_entitlements",
        "read_recommendations",
        "read_fleet",
        "read_drift",
    }
    assert len(api_json(served, "/api/v1/me")["rights"]) == 14
