"""`costplane collect prometheus` as a user runs it: rows in the project's warehouse, the run
in `costplane sources status`, table and JSON output, partial runs, credentials and errors."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import Run
from tests.sources.prometheus.conftest import CLUSTER, LOG_BYTES, BackfilledFleet
from tests.sources.prometheus.server import free_port, proxy_to


@pytest.fixture
def home(tmp_path: Path, backfilled: BackfilledFleet) -> Path:
    """A project whose catalog is the fleet's."""
    shutil.copyfile(backfilled.out / "costplane.yaml", tmp_path / "costplane.yaml")
    return tmp_path


def window_args(backfilled: BackfilledFleet) -> list[str]:
    window = backfilled.window
    return ["--from", window.start.isoformat(), "--to", f"{window.end.isoformat()}Z"]


def collect_args(home: Path, url: str, backfilled: BackfilledFleet, *more: str) -> list[str]:
    return [
        "--home",
        str(home),
        "collect",
        "prometheus",
        "--url",
        url,
        *window_args(backfilled),
        "--cluster",
        CLUSTER,
        "--log-bytes-metric",
        LOG_BYTES,
        *more,
    ]


def warehouse_rows(home: Path, table: str) -> int:
    path = home / ".costplane" / "warehouse.duckdb"
    if not path.exists():
        return 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
        if table not in tables:
            return 0
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])
    finally:
        con.close()


def status(cli: Run, home: Path) -> list[dict[str, object]]:
    done = cli("--home", str(home), "sources", "status", "--output", "json")
    assert done.exit_code == 0, done.stderr
    entries: list[dict[str, object]] = json.loads(done.stdout)
    return [e for e in entries if e["source"] == "prometheus"]


def test_collect_loads_the_warehouse_and_reports_the_run(
    cli: Run, home: Path, prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    done = cli(*collect_args(home, prometheus_url, backfilled))
    assert done.exit_code == 0, done.stderr
    assert f"Prometheus {prometheus_url}, cluster {CLUSTER}" in done.stdout
    assert "usage rows (container hours)" in done.stdout
    usage = warehouse_rows(home, "usage_samples")
    hours = backfilled.usage().column("hour").to_pylist()
    window = backfilled.window
    assert usage == sum(window.start <= hour < window.end for hour in hours) > 0
    assert f"{usage:,}" in done.stdout
    assert "workloads (kube-state-metrics owners)" in done.stdout
    columns = (
        "hour, namespace, pod, container, node, cpu_request_cores, memory_limit_bytes, "
        "workload_kind, workload_name"
    )
    fleet = backfilled.out / "usage" / "usage_samples.parquet"
    con = duckdb.connect(str(home / ".costplane" / "warehouse.duckdb"), read_only=True)
    try:
        stored = f"SELECT {columns} FROM usage_samples"
        generated = f"SELECT {columns} FROM read_parquet('{fleet}')"
        assert con.execute(f"SELECT count(*) FROM ({stored} EXCEPT {generated})").fetchone() == (0,)
    finally:
        con.close()
    services = warehouse_rows(home, "service_usage")
    assert services > 0
    # the same window again replaces what the first run loaded
    again = cli(*collect_args(home, prometheus_url, backfilled, "--output", "json"))
    assert again.exit_code == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["partial"], summary["missing"]) == (False, [])
    assert summary["usage_rows"] == usage == warehouse_rows(home, "usage_samples")
    assert summary["service_rows"] == services == warehouse_rows(home, "service_usage")
    assert summary["cluster"] == CLUSTER
    assert summary["url"] == prometheus_url
    assert summary["points_per_query_max"] <= summary["max_points"] == 100_000
    (entry,) = status(cli, home)
    assert entry["target"] == f"{CLUSTER} at {prometheus_url}"
    assert (entry["status"], entry["missing"], entry["last_error"]) == ("ok", [], None)
    assert entry["last_success"] is not None


def test_a_partial_run_loads_the_rest_and_says_what_is_missing(
    cli: Run, home: Path, prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    with proxy_to(prometheus_url) as proxy:
        proxy.rule = lambda path, query: 422 if query.startswith("sum by (router)") else None
        done = cli(*collect_args(home, proxy.url, backfilled, "-o", "json"))
    assert done.exit_code == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["partial"] is True
    (line,) = summary["missing"]
    assert line.startswith("Traefik requests per router for routers ")
    assert line.endswith("HTTP 422 test: refused with 422")
    warning = f"warning: {CLUSTER} at {proxy.url}: could not read {line}"
    assert " ".join(done.stderr.split()) == warning  # (the console wraps long lines)
    assert warehouse_rows(home, "usage_samples") == summary["usage_rows"] > 0
    assert summary["traefik_rows"] == 0 < summary["log_rows"]
    (entry,) = status(cli, home)
    assert (entry["status"], entry["missing"]) == ("partial", [line])


def test_an_unreachable_server_is_one_line_and_exit_1(
    costplane: Run, cli: Run, home: Path, backfilled: BackfilledFleet
) -> None:
    url = f"http://alice:s3cret-pw@127.0.0.1:{free_port()}"
    done = costplane(*collect_args(home, url, backfilled))
    assert done.exit_code == 1
    shown = url.replace("s3cret-pw", "***")
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: Prometheus at {shown}: cannot connect")
    assert lines[0].endswith("(after 3 attempts)")
    assert "s3cret-pw" not in done.stdout + done.stderr
    assert done.stdout == ""
    assert warehouse_rows(home, "usage_samples") == 0
    (entry,) = status(cli, home)
    assert entry["status"] == "failed"
    assert entry["target"] == f"{CLUSTER} at {shown}"
    assert str(entry["last_error"]).startswith(f"Prometheus at {shown}: cannot connect")


def test_a_selector_matching_nothing_loads_nothing(
    cli: Run, home: Path, prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    """A typo in --selector must not replace a good day with an empty one."""
    done = cli(*collect_args(home, prometheus_url, backfilled, "--selector", 'cluster="eu-typo"'))
    assert done.exit_code == 1
    assert " ".join(done.stderr.split()) == (
        f"error: Prometheus at {prometheus_url}: no container series from 2025-05-21T00:00:00 "
        'to 2025-05-24T00:00:00 matching {cluster="eu-typo"}; nothing was loaded (is this the '
        "cluster's Prometheus, with cAdvisor and kube-state-metrics?)"
    )
    assert warehouse_rows(home, "usage_samples") == 0
    (entry,) = status(cli, home)
    assert entry["status"] == "failed"


def test_bearer_token_and_tenant_come_from_the_environment(
    cli: Run, home: Path, prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    token = "tok-7f3a9c-secret"
    with proxy_to(prometheus_url) as proxy:
        proxy.token = token
        env = {"COSTPLANE_PROMETHEUS_TOKEN": token, "COSTPLANE_PROMETHEUS_ORG_ID": "team-a"}
        done = cli(*collect_args(home, proxy.url, backfilled), env=env)
        denied = cli(
            *collect_args(home, proxy.url, backfilled),
            env={"COSTPLANE_PROMETHEUS_TOKEN": "wrong-token-value"},
        )
    assert done.exit_code == 0, done.stderr
    assert all(r["headers"]["Authorization"] == f"Bearer {token}" for r in proxy.requests[:3])  # type: ignore[index]
    assert {r["headers"].get("X-Scope-OrgID") for r in proxy.requests if r["status"] == 200} == {  # type: ignore[attr-defined]
        "team-a"
    }
    assert denied.exit_code == 1
    assert denied.stderr.strip() == (
        f"error: Prometheus at {proxy.url}: access denied (HTTP 401); check the credentials "
        "(basic auth in the URL, or COSTPLANE_PROMETHEUS_TOKEN)"
    )
    for output in (done.stdout, done.stderr, denied.stdout, denied.stderr):
        assert token not in output
        assert "wrong-token-value" not in output


def test_basic_auth_from_the_url_is_sent_and_never_shown(
    cli: Run, home: Path, prometheus_url: str, backfilled: BackfilledFleet
) -> None:
    with proxy_to(prometheus_url) as proxy:
        url = proxy.url.replace("http://", "http://reader:p%40ss-w0rd@")
        done = cli(*collect_args(home, url, backfilled, "-o", "json"))
    assert done.exit_code == 0, done.stderr
    expected = "Basic " + base64.b64encode(b"reader:p@ss-w0rd").decode()
    assert {r["headers"]["Authorization"] for r in proxy.requests} == {expected}  # type: ignore[index]
    summary = json.loads(done.stdout)
    assert summary["url"] == proxy.url.replace("http://", "http://reader:***@")
    assert "w0rd" not in done.stdout + done.stderr
    (entry,) = status(cli, home)
    assert "w0rd" not in json.dumps(entry)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-05-21"], "error: --from and --to go together"),
        (["--step", "7m"], "error: --step 7m: must divide one hour"),
        (["--from", "2025-05-21T00:30", "--to", "2025-05-22"], "must be a whole hour"),
        (["--from", "2025-05-22", "--to", "2025-05-21"], "must be after --from"),
        (["--from", "2025-05-21", "--to", "2999-01-01"], "is in the future"),
        (["--selector", "cluster"], "is not a label matcher"),
        (["--log-bytes-metric", "log bytes"], "not a metric name or selector"),
        (["--max-points", "3"], "exceeds --max-points 3"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    cli: Run,
    home: Path,
    prometheus_url: str,
    backfilled: BackfilledFleet,
    args: list[str],
    message: str,
) -> None:
    base = ["--home", str(home), "collect", "prometheus", "--url", prometheus_url]
    if "--from" not in args:
        base += window_args(backfilled)
    done = cli(*base, *args)
    assert done.exit_code == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert warehouse_rows(home, "usage_samples") == 0


def test_a_url_that_is_not_http_is_refused(cli: Run, home: Path) -> None:
    done = cli("--home", str(home), "collect", "prometheus", "--url", "ftp://u:pw@host/")
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        "error: --url ftp://u:***@host/: not an http(s) URL (example: http://prometheus:9090)"
    )
