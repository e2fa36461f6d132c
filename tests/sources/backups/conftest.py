"""Real systems for the backups collector's tests.

- `pgbackrest_cluster`: a throwaway PostgreSQL cluster (Debian's binaries) on a free
  loopback port, archiving its WAL with pgBackRest into a repository in a temporary
  directory, with a real full, differential and incremental backup; stopped after.
- `s3_endpoint`: moto's standalone S3-API server on loopback (an S3 API run locally,
  as the Kubernetes tests replay an API server), with test credentials in the
  environment.

Without pgbackrest or PostgreSQL's binaries the tests skip, unless
COSTPLANE_REQUIRE_SERVICES=1 (CI), where they fail.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import Catalog, load_catalog

EXAMPLE_CATALOG = Path(__file__).resolve().parents[3] / "examples/distribution-saas/costplane.yaml"
DATA = Path(__file__).resolve().parent / "data"
STANZA = "main"
TENANT_DATABASES = ("kontor_buero_prod", "veluwe_tuin_prod")
"""Two tenants' databases in the one cluster: a shared cluster, as on the shared platform."""


def unavailable(what: str, why: object) -> None:
    message = f"{what} is not available: {why}"
    if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(EXAMPLE_CATALOG)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A project directory with the example catalog."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(EXAMPLE_CATALOG, project / "costplane.yaml")
    return project


def utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


# --- pgBackRest ------------------------------------------------------------------------


@dataclass(frozen=True)
class PgBackRestCluster:
    directory: Path
    config: Path
    repository: Path
    info: list[dict[str, Any]]
    """`pgbackrest info --output=json` as pgBackRest printed it."""
    started: dt.datetime
    finished: dt.datetime
    """Wall-clock bounds around the backups, by this machine's clock."""

    def backup_directory(self, label: str) -> Path:
        return self.repository / "backup" / STANZA / label

    def stored_bytes(self, label: str) -> int:
        """What the backup's files take in the repository, counted on disk."""
        files = (self.backup_directory(label) / "pg_data").rglob("*")
        return sum(path.stat().st_size for path in files if path.is_file())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


class _Runner:
    """Runs commands as the cluster's owner: `postgres` when we are root (initdb refuses root)."""

    def __init__(self, directory: Path) -> None:
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.directory = directory

    def __call__(self, *command: str | Path, timeout: float = 120) -> str:
        done = subprocess.run(
            [*self.prefix, *map(str, command)],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"{command[0]} failed ({done.returncode}): {done.stderr}")
        return done.stdout


def _write_config(directory: Path, port: int) -> Path:
    config = directory / "pgbackrest.conf"
    config.write_text(
        "[global]\n"
        f"repo1-path={directory / 'repo'}\n"
        "repo1-retention-full=2\n"
        f"log-path={directory / 'log'}\n"
        f"lock-path={directory / 'lock'}\n"
        f"spool-path={directory / 'spool'}\n"
        "log-level-console=warn\n"
        "log-level-file=off\n"
        "start-fast=y\n"
        "compress-type=gz\n"
        "\n"
        f"[{STANZA}]\n"
        f"pg1-path={directory / 'data'}\n"
        f"pg1-port={port}\n"
        f"pg1-socket-path={directory}\n"
    )
    return config


def _postgresql_conf(directory: Path, config: Path, port: int) -> str:
    return (
        "listen_addresses = '127.0.0.1'\n"
        f"port = {port}\n"
        f"unix_socket_directories = '{directory}'\n"
        "wal_level = replica\n"
        "archive_mode = on\n"
        f"archive_command = 'pgbackrest --config={config} --stanza={STANZA} archive-push %p'\n"
        "fsync = off\n"
        "max_wal_senders = 3\n"
    )


@pytest.fixture(scope="module")
def pgbackrest_cluster() -> Iterator[PgBackRestCluster]:
    binaries = _postgres_bin()
    if shutil.which("pgbackrest") is None or binaries is None:
        unavailable("pgbackrest and PostgreSQL's binaries", "apt-get install pgbackrest postgresql")
    assert binaries is not None
    directory = Path(tempfile.mkdtemp(prefix="cpbr-", dir="/tmp"))
    directory.chmod(0o755)
    for name in ("repo", "log", "lock", "spool"):
        (directory / name).mkdir()
    port = _free_port()
    config = _write_config(directory, port)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        for path in directory.rglob("*"):
            shutil.chown(path, "postgres", "postgres")
    run = _Runner(directory)
    data = directory / "data"
    try:
        run(binaries / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        with (data / "postgresql.conf").open("a") as handle:
            handle.write(_postgresql_conf(directory, config, port))
        run(binaries / "pg_ctl", "-D", data, "-l", directory / "postgres.log", "-w", "start")
        try:
            yield _backups(run, binaries, directory, config, port)
        finally:
            run(binaries / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _backups(
    run: _Runner, binaries: Path, directory: Path, config: Path, port: int
) -> PgBackRestCluster:
    def psql(database: str, sql: str) -> None:
        run(binaries / "psql", "-h", directory, "-p", str(port), "-U", "postgres", "-d",
            database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql)  # fmt: skip

    backrest = ("pgbackrest", f"--config={config}", f"--stanza={STANZA}")
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    run(*backrest, "stanza-create")
    for database in TENANT_DATABASES:
        psql("postgres", f"CREATE DATABASE {database}")
        psql(database, "CREATE TABLE stock_move AS SELECT g AS id FROM generate_series(1, 50000) g")
    run(*backrest, "backup", "--type=full")
    psql(TENANT_DATABASES[0], "INSERT INTO stock_move SELECT g FROM generate_series(1, 30000) g")
    run(*backrest, "backup", "--type=diff")
    psql(TENANT_DATABASES[1], "INSERT INTO stock_move SELECT g FROM generate_series(1, 10000) g")
    run(*backrest, "backup", "--type=incr")
    finished = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    info = json.loads(run("pgbackrest", f"--config={config}", "info", "--output=json"))
    return PgBackRestCluster(directory, config, directory / "repo", info, started, finished)


# --- S3 API ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """moto's S3-API server on a free loopback port; its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        unavailable("moto[server] (the dev extra)", exc)
        raise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


ACCESS_KEY = "AKIACOSTPLANETEST001"
SECRET_KEY = "costplane-test-secret-never-printed-0000"


@pytest.fixture
def s3_endpoint(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The server, with credentials in the environment where boto3 looks first, and no
    ~/.aws files in the way."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return s3_server


def s3(endpoint: str, **credentials: str) -> Any:
    import boto3

    session = boto3.session.Session()  # credentials as the environment has them now
    return session.client("s3", endpoint_url=endpoint, region_name="eu-central-1", **credentials)
