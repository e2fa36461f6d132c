"""The served process keeps a month's report documents while the data is unchanged, and
answers the new data at once after a write (report_cache.py)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from costplane.service import (
    ClassReportRequest,
    Project,
    TenantDaysRequest,
    dr_report,
    entitlements_report,
    tenant_days,
    to_document,
)
from costplane.settings import Settings
from costplane.surfaces.server.report_cache import ReportCache
from costplane.surfaces.web import month
from tests.conftest import DEMO_PERIOD, Demo
from tests.surfaces.server.conftest import TENANT, Served, serve_copy
from tests.surfaces.server.test_api import api_json, cli_json


@pytest.fixture(scope="module")
def served(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Its own copy: the test writes to its warehouse."""
    done = serve_copy(demo, tmp_path_factory.mktemp("cache") / "demo")
    yield done
    done.close()


def test_a_write_to_the_warehouse_is_answered_at_once(served: Served) -> None:
    url = f"/api/v1/cost/showback?period={DEMO_PERIOD}"
    cache = served.client.app.state.reports  # type: ignore[attr-defined]
    before = api_json(served, url)
    computed = cache.computed
    assert api_json(served, url) == before
    assert api_json(served, url, "tenant")["lines"] == [
        line for line in before["lines"] if line["tenant"] == TENANT
    ]
    assert cache.computed == computed, "the month's showback is kept, for every principal"
    assert before["allocated"]["last"] == "2026-10-30"
    mine_before = api_json(served, url, "tenant")
    # A writer (another process would do the same) drops the month's last allocated day.
    writer = Project(Settings(home=served.home))
    try:
        with writer.warehouse() as warehouse:
            warehouse.ibis.con.execute("DELETE FROM allocations WHERE day = DATE '2026-10-30'")
    finally:
        writer.close()
    after = api_json(served, url)
    assert cache.computed == computed + 1
    assert after["allocated"]["last"] == "2026-10-29"
    assert after == {
        **cli_json(served, "report", "showback", "--period", DEMO_PERIOD),
        "notes": after["notes"],
    }
    assert after["total"]["total"] != before["total"]["total"]
    mine_after = api_json(served, url, "tenant")
    [line] = [line for line in after["lines"] if line["tenant"] == TENANT]
    assert mine_after["lines"] == [line] != mine_before["lines"]


def test_a_tenant_page_from_the_months_figures_is_the_page_read_alone(served: Served) -> None:
    """The first page of a month reads its tenant's figures alone and has every tenant's
    read in the background; the pages after take their part of those: the same pages."""
    cache = served.client.app.state.reports  # type: ignore[attr-defined]
    cookie = {"Cookie": f"costplane_token={served.tokens['admin']}"}
    tenants = [t.id for t in served.project.catalog().tenants]
    period = DEMO_PERIOD

    def page(tenant: str) -> str:
        answer = served.client.get(f"/tenants/{tenant}?period={period}", headers=cookie)
        assert answer.status_code == 200, answer.text
        return answer.text

    alone = {tenant: page(tenant) for tenant in tenants}
    kept = cache.value(month.key(period), lambda: month.tenant_pages(served.project, period))
    assert set(kept.days.spans) <= set(tenants)
    assert {tenant: page(tenant) for tenant in tenants} == alone
    assert any('<table id="entitlements">' in text for text in alone.values())
    judged = 0
    for tenant in tenants:
        days = kept.days.of(tenant)
        assert days == tenant_days(served.project, TenantDaysRequest.of(period, tenant))
        views = kept.capabilities_of(tenant)
        if views is None:
            continue  # no contract this month: its page reads its own
        judged += 1
        alone_request = ClassReportRequest.of(period, tenant)
        evidence = dr_report(served.project, alone_request)
        entitled = entitlements_report(served.project, alone_request, evidence)
        assert views["entitlements"]["document"]["tenants"] == to_document(entitled)["tenants"]
        assert views["dr"]["document"] == to_document(evidence)
    assert judged >= len(tenants) - 1


def test_a_value_asked_for_at_once_is_computed_once(tmp_path: Path) -> None:
    cache = ReportCache(Settings(home=tmp_path))
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        started.set()
        release.wait(10)
        return [len(calls)]

    with ThreadPoolExecutor(4) as pool:
        answers = [pool.submit(cache.value, "key", compute) for _ in range(4)]
        assert started.wait(10)
        release.set()
        values = [answer.result(10) for answer in answers]
    assert calls == [1]
    assert cache.computed == 1
    assert all(value is values[0] for value in values), "one value, shared"
    assert cache.value("key", compute) is values[0]


def test_a_value_soon_is_none_until_the_background_has_it(tmp_path: Path) -> None:
    cache = ReportCache(Settings(home=tmp_path))
    release = threading.Event()
    try:
        assert cache.soon("key", lambda: release.wait(10) and "figures") is None
        assert cache.soon("key", lambda: "again") is None, "underway: not started twice"
        release.set()
        assert cache.value("key", lambda: "computed here") == "figures"
        assert cache.soon("key", lambda: "again") == "figures"
        assert cache.computed == 1
    finally:
        cache.close()


def test_a_value_that_fails_in_the_background_is_computed_by_the_next_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ReportCache(Settings(home=tmp_path))

    def broken() -> str:
        raise RuntimeError("the warehouse went away")

    try:
        assert cache.soon("key", broken) is None
        cache.warm([lambda: None])  # after the broken one: the one worker runs in order
        while cache.warming:
            time.sleep(0.01)
        assert "computing a report in the background failed" in caplog.text
        assert "the warehouse went away" in caplog.text
        assert cache.value("key", lambda: "read now") == "read now"
    finally:
        cache.close()


def test_a_kind_with_a_bound_keeps_its_most_recently_used(tmp_path: Path) -> None:
    cache = ReportCache(Settings(home=tmp_path), kept=5, kept_of_kind={"month": 2})
    for period in ("2026-08", "2026-09", "2026-10"):
        cache.value(("month", period), lambda period=period: f"figures of {period}")
    assert cache.value(("month", "2026-09"), lambda: "again") == "figures of 2026-09"
    cache.value(("showback", "2026-08"), lambda: "showback")
    cache.value(("month", "2026-11"), lambda: "figures of 2026-11")
    assert cache.computed == 5
    # Kept: the two months used last, and the other kind's value under the whole bound.
    assert cache.value(("showback", "2026-08"), lambda: "again") == "showback"
    assert cache.value(("month", "2026-09"), lambda: "again") == "figures of 2026-09"
    assert cache.value(("month", "2026-11"), lambda: "again") == "figures of 2026-11"
    assert cache.computed == 5
    assert cache.value(("month", "2026-10"), lambda: "read again") == "read again"
    assert cache.value(("month", "2026-08"), lambda: "read again") == "read again"
    assert cache.computed == 7


def test_the_server_keeps_a_few_months_of_every_tenants_page_figures(served: Served) -> None:
    """Each is tens of MB at 5,000 tenants: a dashboard browsed back over a year must not
    hold a year of them."""
    cache = served.client.app.state.reports  # type: ignore[attr-defined]
    months = [f"2099-{number:02}" for number in range(1, month.MONTHS_KEPT + 2)]
    for period in months:
        cache.value(month.key(period), lambda period=period: f"figures of {period}")
    computed = cache.computed
    for period in months[1:]:
        assert cache.value(month.key(period), lambda: "again") == f"figures of {period}"
    assert cache.value(month.key(months[0]), lambda: "read again") == "read again"
    assert cache.computed == computed + 1


def test_tenants_views_read_alone_cannot_push_the_months_reports_out(served: Served) -> None:
    """Right after a write each tenant's page reads its own views, and keeps them."""
    cache = served.client.app.state.reports  # type: ignore[attr-defined]
    cache.value(("report", "2099-01"), lambda: "the month's report")
    for number in range(month.ONE_TENANT_KEPT + 32):
        cache.value((month.ONE_TENANT, "2099-01", f"tenant-{number}"), lambda: "views")
    assert cache.value(("report", "2099-01"), lambda: "read again") == "the month's report"


def _age_state_store(served: Served) -> None:
    """The state store's files as last written long ago (`settled`)."""
    state = served.project.settings.embedded_state
    for path in (state, state.with_name(state.name + "-wal")):
        if path.exists():
            long_ago = path.stat().st_mtime_ns - 60_000_000_000
            os.utime(path, ns=(long_ago, long_ago))


def test_the_findings_list_is_kept_until_a_decision_changes_it(served: Served) -> None:
    cache = served.client.app.state.findings  # type: ignore[attr-defined]
    url = "/api/v1/findings?status=open&limit=5"
    _age_state_store(served)
    first = api_json(served, url)
    computed = cache.computed
    assert api_json(served, url) == first
    assert cache.computed == computed, "kept while the state store is unchanged"
    mine = api_json(served, url, "tenant")  # another scope: its own list
    assert {item["tenant"] for item in mine["items"]} <= {TENANT}
    decided = first["items"][0]["id"]
    answer = served.client.post(
        f"/api/v1/findings/{decided}/acknowledge", headers=served.auth("engineer")
    )
    assert answer.status_code == 200, answer.text
    after = api_json(served, url)
    assert decided not in [item["id"] for item in after["items"]]
    assert after["total"] == first["total"] - 1
    computed = cache.computed
    api_json(served, url)
    assert cache.computed == computed + 1, "just written: not kept until it settles"


def test_the_server_is_ready_once_the_newest_month_is_kept(
    demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    warmed = serve_copy(demo, tmp_path_factory.mktemp("warm") / "demo", warm=True)
    try:
        reports = warmed.client.app.state.reports  # type: ignore[attr-defined]
        deadline = time.monotonic() + 60
        while (answer := warmed.client.get("/readyz")).status_code != 200:
            assert answer.status_code == 503
            assert answer.json()["checks"]["reports"].startswith("warming")
            assert warmed.client.get("/healthz").status_code == 200
            assert time.monotonic() < deadline, "not ready within a minute"
            time.sleep(0.05)
        assert answer.json()["checks"]["reports"] == "ok"
        computed = reports.computed
        assert computed >= 2, "the showback and the month's tenant pages"
        url = f"/api/v1/cost/showback?period={DEMO_PERIOD}"
        assert api_json(warmed, url)["period"] == DEMO_PERIOD
        assert reports.soon(month.key(DEMO_PERIOD), lambda: None) is not None
        assert reports.computed == computed, "both answered from what the start kept"
    finally:
        warmed.close()
