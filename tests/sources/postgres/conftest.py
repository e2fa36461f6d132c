"""The real Odoo 18 database restored into a scratch database, plain scratch databases,
least-privilege roles, and a project whose catalog maps tenants to those databases.

The Odoo scenario adds to the restored demo what a running tenant would have and the
demo lacks: two custom modules and an Enterprise one, attachments kept in the database,
a file shared by two models, done pickings, and OCA's queue_job with failed jobs. It
is vacuumed and analyzed afterwards, so nothing changes its size while tests read it.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import POSTGRES_ADMIN_URL, _admin_connection, _unavailable

DUMP = Path("odoo") / "odoo18_distribution_demo.dump"
"""Under tests/data (the `sample_data` fixture); see odoo/SOURCE.md there."""
EXAMPLE_CATALOG = Path(__file__).resolve().parents[3] / "examples/distribution-saas/costplane.yaml"
BASE = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]

CUSTOM_MODULES = {"acme_edi_connector", "acme_pricing"}
"""Installed by the scenario and not Odoo's; acme_pricing's manifest has no author, so Odoo
wrote its default author "Odoo S.A." (what the author field alone would get wrong)."""

SCENARIO = """
INSERT INTO ir_module_module (name, state, author, license, latest_version) VALUES
  ('acme_edi_connector', 'installed', 'Acme IT GmbH', 'LGPL-3', '18.0.1.0.0'),
  ('acme_pricing', 'installed', 'Odoo S.A.', 'LGPL-3', '18.0.1.0.0'),
  ('sale_subscription_dashboard', 'installed', 'Odoo S.A.', 'OEEL-1', '18.0.1.0'),
  ('acme_unused', 'uninstalled', 'Acme IT GmbH', 'LGPL-3', NULL);

INSERT INTO ir_attachment (name, res_model, res_id, type, file_size, checksum, db_datas, mimetype)
SELECT 'edi-' || n || '.xml', 'edi.message', n, 'binary', 3000 + n,
       md5(repeat('e', 3000 + n)), convert_to(repeat('e', 3000 + n), 'UTF8'), 'text/xml'
FROM generate_series(1, 3) n;

INSERT INTO ir_attachment (name, res_model, res_id, type, file_size, checksum, store_fname)
SELECT 'copy-' || id, 'sale.order', 1, 'binary', file_size, checksum, store_fname
FROM ir_attachment WHERE res_model = 'product.template' ORDER BY id LIMIT 2;

UPDATE stock_picking SET state = 'done', date_done = now() - (id % 3) * interval '1 day'
WHERE id IN (SELECT id FROM stock_picking WHERE state = 'assigned' ORDER BY id LIMIT 4);

CREATE TABLE queue_job (
  id serial PRIMARY KEY, uuid varchar, state varchar NOT NULL, create_date timestamp
);
INSERT INTO queue_job (uuid, state, create_date) VALUES
  ('a', 'failed', '2026-09-03 10:00'), ('b', 'failed', '2026-10-04 11:00'),
  ('c', 'done', '2026-10-05 12:00'), ('d', 'pending', '2026-10-06 13:00'),
  ('e', 'done', NULL);
"""


def scratch_name(kind: str) -> str:
    return f"costplane_test_{kind}_{uuid.uuid4().hex[:10]}"


def url_of(database: str, user: str = "postgres", password: str | None = None) -> str:
    host = BASE.split("@", 1)[1]
    secret = f":{password}" if password else ""
    return f"postgresql://{user}{secret}@{host}/{database}"


def execute(database: str, *statements: str) -> None:
    """Run statements as the admin in `database` (autocommit: VACUUM works)."""
    with psycopg.connect(url_of(database), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def query(database: str, text: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url_of(database), autocommit=True) as connection:
        return connection.execute(text).fetchall()  # type: ignore[arg-type]


def drop(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def odoo_database(sample_data: Path) -> Iterator[str]:
    """The Odoo 18 demo dump restored with pg_restore, plus the scenario; dropped after."""
    dump = sample_data / DUMP
    if not dump.is_file():
        pytest.fail(f"{dump} is missing: it is part of the repository")
    name = scratch_name("odoo")
    with _admin_connection() as admin:  # no server: skipped before asking for pg_restore
        restore = shutil.which("pg_restore")
        if restore is None:
            _unavailable("pg_restore", "not installed (Debian: postgresql-client)")
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [
                restore,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",  # one commit: 4-5 times faster than one per object
                "-d",
                url_of(name),
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        execute(name, SCENARIO, "VACUUM ANALYZE")
        yield name
    finally:
        drop(name)


@pytest.fixture
def scratch_database() -> Iterator[Callable[..., str]]:
    """Makes plain (non-Odoo) databases, each set up by the given statements; drops them."""
    made: list[str] = []

    def make(*statements: str) -> str:
        name = scratch_name("plain")
        with _admin_connection() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        if statements:
            execute(name, *statements)
        return name

    try:
        yield make
    finally:
        for name in made:
            drop(name)


@pytest.fixture
def role() -> Iterator[Callable[..., str]]:
    """Makes login roles (optionally members of pg_read_all_stats); drops them and
    everything granted to them in the databases named by `granted_in`."""
    made: list[tuple[str, list[str]]] = []

    def make(*, read_all_stats: bool = True, granted_in: Sequence[str] = ()) -> str:
        name = f"costplane_test_reader_{uuid.uuid4().hex[:10]}"
        with _admin_connection() as admin:
            admin.execute(f'CREATE ROLE "{name}" LOGIN')
            if read_all_stats:
                admin.execute(f'GRANT pg_read_all_stats TO "{name}"')
        made.append((name, list(granted_in)))
        return name

    try:
        yield make
    finally:
        for name, databases in made:
            for database in databases:
                execute(database, f'DROP OWNED BY "{name}"')
            with _admin_connection() as admin:
                admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def write_catalog(
    home: Path,
    tenants: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    redis_pattern: str | None = None,
) -> Path:
    """A project catalog: the example's classes and prices, with these tenants
    (tenant -> environment -> databases) and, if given, this Redis key pattern."""
    example = EXAMPLE_CATALOG.read_text()
    head = example[: example.index("\ntenants:\n") + 1]
    if redis_pattern is not None:
        head = head.replace(
            'tenant_key_pattern: "{tenant}:*"', f'tenant_key_pattern: "{redis_pattern}"'
        )
    lines = ["tenants:"]
    for tenant, environments in tenants.items():
        lines += [
            f"  - id: {tenant}",
            f"    name: {tenant.title()}",
            "    service_class: shared-standard",
            "    region: eu-de",
            "    contracts: [{start: 2024-01-01}]",
            "    environments:",
        ]
        for environment, databases in environments.items():
            listed = ", ".join(databases)
            lines.append(
                f"      {environment}: {{namespaces: [{tenant}-{environment[:4]}], "
                f"databases: [{listed}]}}"
            )
    home.mkdir(parents=True, exist_ok=True)
    path = home / "costplane.yaml"
    path.write_text(head + "\n".join(lines) + "\n")
    return path
