"""The served process keeps a month's report documents while the data is unchanged, and
answers the new data at once after a write (report_cache.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from costplane.service import Project
from costplane.settings import Settings
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
