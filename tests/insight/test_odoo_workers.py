"""Odoo workers: Odoo's rules (2 x CPU + 1 at most, 6 concurrent users a worker, ~325 MiB a
worker) on hand-computed numbers, and on the demo's Odoo web deployments."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from costplane.insight.rightsizing import odoo_config, size_odoo
from costplane.surfaces.cli import app

MIB = 2**20


def test_the_options_are_read_from_the_command_line() -> None:
    config = odoo_config(["odoo", "--workers=4", "--max-cron-threads=0", "--proxy-mode"])
    assert config is not None
    assert (config.workers, config.max_cron_threads, config.limit_memory_hard) == (4, 0, None)
    assert odoo_config(["--no-http", "--max-cron-threads=2"]) is None


def test_users_set_the_workers_under_the_cpu_ceiling() -> None:
    config = odoo_config(["--workers=8"])
    assert config is not None
    # 115,200 requests a day: 14,400 in the busiest hour, 40 users at 360 requests an hour
    sized = size_odoo(config, Decimal("1.2"), 1024 * MIB, 115_200.0, separate_cron=True)
    assert sized.concurrent_users == Decimal("40.0")
    assert sized.workers_for_users == 7  # ceil(40 / 6)
    assert sized.workers_ceiling == 5  # 2 x ceil(1.2) + 1
    assert sized.workers_recommended == 5
    assert sized.cpu_for_users == "3"  # 2 x 3 + 1 = 7 workers
    assert sized.max_cron_threads_recommended == 0
    # 5 workers x (0.8 x 150 MiB + 0.2 x 1024 MiB) = 1624 MiB > the 1 GiB of rightsizing
    assert sized.memory_recommended == "1624Mi"
    assert sized.limit_memory_hard_recommended == 1624 * MIB // 5 // MIB * MIB
    assert (
        sized.limit_memory_soft_recommended
        == int(sized.limit_memory_hard_recommended * 0.8) // MIB * MIB
    )


def test_few_users_keep_two_workers() -> None:
    config = odoo_config(["--workers=4"])
    assert config is not None
    sized = size_odoo(config, Decimal("0.3"), 2048 * MIB, 1000.0, separate_cron=False)
    assert sized.workers_recommended == 2
    assert sized.memory_recommended == "2Gi"  # rightsizing's memory is more than 2 workers'
    assert sized.max_cron_threads_recommended == 1


def test_the_demos_odoo_web_containers(demo_home: Path) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(demo_home), "recommend", "workloads", "--prices", "sheet", "-o", "json"]
    )
    assert result.exit_code == 0, result.stderr
    containers = json.loads(result.stdout)["containers"]
    web = [c for c in containers if c["workload"] == "odoo-web" and c["cpu_recommended"]]
    assert web
    assert all(c["odoo"] is not None for c in web)
    assert all(c["odoo"] is None for c in containers if c["workload"] == "odoo-cron")
    with_cron = {c["namespace"] for c in containers if c["workload"] == "odoo-cron"}
    # the fleet's --workers=4, but where it plants too many or too few (rightsizing.json)
    answers = json.loads((demo_home / "fleet" / "rightsizing.json").read_text())["odoo"]
    planted = {r["namespace"]: r["workers"] for r in answers}
    assert planted
    for c in web:
        odoo = c["odoo"]
        assert odoo["workers"] == planted.get(c["namespace"], 4)
        assert 2 <= odoo["workers_recommended"] <= odoo["workers_ceiling"]
        assert odoo["cpu_recommended"] == c["cpu_recommended"]
        # where odoo-cron runs the crons (--max-cron-threads=2), the web pods run none
        assert odoo["max_cron_threads_recommended"] == (0 if c["namespace"] in with_cron else 1)
