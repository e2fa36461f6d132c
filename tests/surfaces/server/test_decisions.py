"""Acknowledging and suppressing through the API: made in the token subject's name, kept
with the finding and in the audit log (whose chain stays intact), refused to roles that
may not decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from costplane.service import audit_entries, kept_finding, verify_audit
from tests.conftest import Demo
from tests.surfaces.server.conftest import TENANT, Served, serve_copy


@pytest.fixture(scope="module")
def served(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    done = serve_copy(demo, tmp_path_factory.mktemp("decisions") / "demo")
    yield done
    done.close()


def open_findings(served: Served) -> list[dict[str, object]]:
    answer = served.get("/api/v1/findings?status=open&limit=1000")
    assert answer.status_code == 200
    items: list[dict[str, object]] = answer.json()["items"]
    return items


def test_an_engineer_acknowledges_in_its_own_name(served: Served) -> None:
    finding = open_findings(served)[0]
    answer = served.client.post(
        f"/api/v1/findings/{finding['id']}/acknowledge", headers=served.auth("engineer")
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["status"] == "acknowledged"
    assert shown["acknowledged_by"] == "engineer-person"
    assert shown["history"][-1]["by"] == "engineer-person"
    kept = kept_finding(served.project, str(finding["id"]))
    assert kept.acknowledged_by == "engineer-person"
    # The demo's own log may hold the README tour's decisions (the shared demo is theirs too).
    [entry] = [e for e in audit_entries(served.project, None) if e["actor"].endswith("-person")]
    assert (entry["actor"], entry["phase"], entry["action"]) == (
        "engineer-person",
        "decision",
        "acknowledge",
    )
    assert (entry["kind"], entry["name"]) == ("Finding", str(finding["id"]))
    assert entry["monthly_amount"] == finding["monthly_waste"]
    assert entry["after"]["status"] == "acknowledged"
    assert verify_audit(served.project).verification.intact


def test_an_admin_suppresses_with_a_reason_and_it_leaves_the_list(served: Served) -> None:
    finding = open_findings(served)[0]
    until = dt.date.today() + dt.timedelta(days=30)
    answer = served.client.post(
        f"/api/v1/findings/{finding['fingerprint']}/suppress",
        json={"until": until.isoformat(), "reason": "migration next month"},
        headers=served.auth("admin"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["suppressed_by"] == "admin-person"
    assert answer.json()["suppressed_until"] == until.isoformat()
    assert finding["id"] not in [f["id"] for f in open_findings(served)]
    newest = audit_entries(served.project, 1)[0]
    assert (newest["actor"], newest["action"]) == ("admin-person", "suppress")
    assert "migration next month" in newest["detail"]
    audit = served.get("/api/v1/audit", "finance").json()
    assert audit["total"] == len(audit_entries(served.project, None))
    ours = [e["action"] for e in audit["items"] if e["actor"].endswith("-person")]
    assert ours == ["suppress", "acknowledge"]
    assert verify_audit(served.project).verification.intact


@pytest.mark.parametrize("role", ["viewer", "finance", "tenant"])
def test_a_role_that_may_not_decide_gets_403_and_nothing_changes(served: Served, role: str) -> None:
    found = served.get(f"/api/v1/findings?tenant={TENANT}&status=open").json()["items"]
    reference = found[0]["id"]
    before = len(audit_entries(served.project, None))
    for action, body in (
        ("acknowledge", None),
        ("suppress", {"until": "2099-01-01", "reason": "x"}),
    ):
        answer = served.client.post(
            f"/api/v1/findings/{reference}/{action}", json=body, headers=served.auth(role)
        )
        assert answer.status_code == 403, answer.text
    assert kept_finding(served.project, str(reference)).status == "open"
    assert len(audit_entries(served.project, None)) == before


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"until": "2020-01-01", "reason": "late"}, 400, "in the past"),
        ({"until": "2099-01-01"}, 422, "reason: Field required"),
        ({"until": "someday", "reason": "x"}, 422, "until"),
        ({"until": "2099-01-01", "reason": ""}, 422, "reason"),
        ({"until": "2099-01-01", "reason": "x", "by": "someone-else"}, 422, "by"),
    ],
)
def test_a_bad_suppression_is_a_problem(
    served: Served, body: dict[str, str], status: int, says: str
) -> None:
    reference = open_findings(served)[0]["id"]
    answer = served.client.post(
        f"/api/v1/findings/{reference}/suppress", json=body, headers=served.auth("admin")
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert says in answer.json()["detail"]


def test_a_write_with_the_cookie_must_come_from_the_servers_own_pages(served: Served) -> None:
    """Another site's form posted with the login cookie is refused (cross-site request
    forgery); the dashboard's own form (same Origin) and a program's header are not."""
    reference = open_findings(served)[0]["id"]
    client = served.client
    client.cookies.set("costplane_token", served.tokens["engineer"])
    url = f"/api/v1/findings/{reference}/acknowledge"
    try:
        for headers in ({}, {"Origin": "https://evil.example"}, {"Referer": "http://x/y"}):
            answer = client.post(url, headers=headers)
            assert answer.status_code == 403, headers
            assert "Origin" in answer.json()["detail"]
        assert kept_finding(served.project, str(reference)).status == "open"
        own = client.post(url, headers={"Origin": "http://testserver"})
        assert own.status_code == 200, own.text
        assert own.json()["acknowledged_by"] == "engineer-person"
    finally:
        client.cookies.clear()
