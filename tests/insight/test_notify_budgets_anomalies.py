"""Budget alerts and anomalies reach the routes that hear them: each once, with its money."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from costplane.warehouse import Warehouse
from tests.conftest import Run
from tests.insight.conftest import PERIOD
from tests.notifications.conftest import Webhook, webhook  # noqa: F401 - the fixture

ROUTES = """
notifications:
  routes:
    - id: finance
      channel: webhook
      url_env: HOOK
      events: [budget, anomaly]
      min_severity: low
"""


def test_budget_alerts_and_anomalies_are_told_once(
    cli: Run,
    anomaly_fleet: Path,
    anomaly_warehouse: Warehouse,
    tmp_path: Path,
    webhook: Webhook,  # noqa: F811 - the fixture imported above
) -> None:
    catalog = (anomaly_fleet / "costplane.yaml").read_text(encoding="utf-8")
    (tmp_path / "costplane.yaml").write_text(catalog + ROUTES, encoding="utf-8")
    env = {"COSTPLANE_WAREHOUSE_URL": anomaly_warehouse.url, "HOOK": f"{webhook.url}/hook"}
    home = ["--home", str(tmp_path)]

    budgets = cli(*home, "budgets", "status", "--period", PERIOD, "-o", "json", env=env)
    assert budgets.exit_code == 0, budgets.stderr
    alerts = [
        (b["budget"], a["threshold_percent"], a["basis"], Decimal(a["value"]))
        for b in json.loads(budgets.stdout)["budgets"]
        for a in b["alerts"]
    ]
    found = cli(*home, "anomalies", "--period", PERIOD, "-o", "json", env=env)
    assert found.exit_code == 0, found.stderr
    anomalies = json.loads(found.stdout)["anomalies"]
    assert alerts
    assert anomalies

    told = cli(*home, "notify", "run", "-o", "json", env=env)
    assert told.exit_code == 0, told.stderr
    events = [e for body in webhook.bodies("/hook") for e in body["events"]]
    budget_events = [e for e in events if e["kind"] == "budget"]
    assert sorted(Decimal(e["amount"]) for e in budget_events) == sorted(a[3] for a in alerts)
    assert {e["key"] for e in budget_events} == {
        f"budget:{name}:{PERIOD}:{threshold}:{basis}" for name, threshold, basis, _ in alerts
    }
    anomaly_events = [e for e in events if e["kind"] == "anomaly"]
    expected = {(a["tenant"] or a["cluster"], a["cost_domain"], a["day"]) for a in anomalies}
    assert {tuple(e["key"].split(":")[1:]) for e in anomaly_events} == expected
    excess = sorted(Decimal(a["excess"]) for a in anomalies)
    assert sorted(Decimal(e["amount"]) for e in anomaly_events) == excess

    again = cli(*home, "notify", "run", "-o", "json", env=env)
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout) == []
