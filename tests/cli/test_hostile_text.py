"""Text from data or a user is shown literally on the terminal: never read as Rich markup,
never passed on as terminal control (ESC, BEL, OSC, bidi overrides), and stored as given.

The hostile names are planted by the test itself: in the warehouse's inventory (the
namespace and object names findings are about), the catalog (a tenant's name), the
directory a fleet is loaded from, a collector's cluster name, and the `--reason` and `--by`
people type. Every table and message that shows them is run, as a user runs it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from costplane.surfaces.cli.console import literal
from costplane.surfaces.cli.output import Column, OutputFormat, render
from tests.governance.test_findings_cli import CATALOG, load_inventory
from tests.kubeapi import kube_api, write_kubeconfig  # noqa: F401  (the fixture)

MARKUP = ["[/]", "[bold red]x", "[link=http://e]x[/link]", ":warning:"]
CONTROL = ["\x1b[31mred", "\x1b]8;;http://e\x07link", "bell\x07", "\u202eevil"]
SHOWN = {  # how each control-carrying value reads on the terminal
    "\x1b[31mred": "\\x1b[31mred",
    "\x1b]8;;http://e\x07link": "\\x1b]8;;http://e\\x07link",
    "bell\x07": "bell\\x07",
    "\u202eevil": "\\u202eevil",
}
NAMESPACE = "[/]\x1b[31mred"
"""A namespace name: its `[/]` used to crash every table showing it (MarkupError)."""
OBJECT = "[bold red]x\x1b]8;;http://e\x07"
REASON = "[/]kept: [link=http://e]x[/link] \x1b[31mred bell\x07 \u202eevil"
ACTOR = "[/]evil\x07\u202e"
TAKEN = dt.datetime(2026, 11, 1)
STEERING = ("\x1b", "\x07", "\x9b", "\u202e")
"""ESC, BEL, CSI and RIGHT-TO-LEFT OVERRIDE: none may reach the terminal."""
UNSET: dict[str, str | None] = {
    "COSTPLANE_HOME": None,
    "COSTPLANE_STATE_URL": None,
    "COSTPLANE_WAREHOUSE_URL": None,
}
"""For the runs on the module's project (no monkeypatch there): the test's own stores."""


class Shown:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


def run(*args: str, env: dict[str, str | None] | None = None) -> Shown:
    result = CliRunner().invoke(app, list(args), env=env)
    return Shown(result.exit_code, result.stdout, result.stderr)


def assert_inert(result: Shown, *expected: str) -> None:
    """Exit 0, every expected text shown as it is, and no byte that steers a terminal."""
    assert result.exit_code == 0, result.stderr
    for text in expected:
        assert text in result.stdout + result.stderr, text
    for output in (result.stdout, result.stderr):
        assert not [c for c in STEERING if c in output]


def test_literal_shows_controls_as_escapes_and_keeps_ordinary_unicode() -> None:
    for value, shown in SHOWN.items():
        assert literal(value) == shown
    for value in [*MARKUP, "Müller & Søn GmbH", "شركة التوزيع", "東京物流", "a\u200db"]:
        assert literal(value) == value
    assert literal("two\nlines\r\tand\x00nul\x9bcsi\u2028") == (
        "two\\nlines\\r\\tand\\x00nul\\x9bcsi\\u2028"
    )


def test_a_table_shows_markup_and_controls_literally(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"name": value, "n": 1} for value in MARKUP + CONTROL]
    render(rows, [Column("name"), Column("n", numeric=True)], OutputFormat.TABLE, title="[/]")
    printed = capsys.readouterr().out
    for value in MARKUP:
        assert value in printed
    for shown in SHOWN.values():
        assert shown in printed
    assert not [c for c in STEERING if c in printed]


def test_json_and_csv_keep_the_values_as_stored(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"name": value} for value in MARKUP + CONTROL]
    render(rows, [Column("name")], OutputFormat.JSON)
    assert [row["name"] for row in json.loads(capsys.readouterr().out)] == MARKUP + CONTROL
    render(rows, [Column("name")], OutputFormat.CSV)
    assert capsys.readouterr().out.splitlines() == ["name", *MARKUP, *CONTROL]


@pytest.fixture
def governed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose inventory has an object named `OBJECT` in namespace `NAMESPACE`
    (a mutable image tag and a route without TLS: two findings), governed."""
    for name in ("COSTPLANE_HOME", "COSTPLANE_STATE_URL", "COSTPLANE_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COSTPLANE_ACTOR", "ci-bot")
    home = tmp_path / "project"
    home.mkdir()
    (home / "costplane.yaml").write_text(CATALOG)
    meta = {"namespace": NAMESPACE, "creationTimestamp": "2026-01-01T00:00:00Z"}
    container = {"name": "odoo", "image": "odoo:latest"}
    load_inventory(
        home,
        [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": NAMESPACE, "labels": {"costplane.io/tenant": "acme"}},
            },
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": OBJECT, **meta},
                "spec": {"replicas": 1, "template": {"spec": {"containers": [container]}}},
            },
        ],
        TAKEN,
    )
    assert_inert(run("--home", str(home), "govern"), "[/]\\x1b[31mred", "[bold red]x\\x1b]8;;")
    return home


def test_findings_tables_and_a_suppression_with_a_hostile_reason(governed: Path) -> None:
    home = str(governed)
    listed = run("--home", home, "findings", "list")
    assert_inert(listed, "[/]\\x1b[31mred", "[bold red]x\\x1b]8;;http://e\\x07")
    found = json.loads(run("--home", home, "findings", "list", "-o", "json").stdout)
    ours = [f for f in found if f["namespace"] == NAMESPACE]  # stored as given
    assert {f["name"] for f in ours} == {OBJECT}
    reference = ours[0]["fingerprint"]

    acked = run("--home", home, "findings", "ack", reference, "--by", ACTOR)
    assert_inert(acked, "acknowledged by [/]evil\\x07\\u202e")
    suppressed = run(
        "--home", home, "findings", "suppress", reference,
        "--until", "2099-01-01", "--reason", REASON, "--by", ACTOR,
    )  # fmt: skip
    shown_reason = "[/]kept: [link=http://e]x[/link] \\x1b[31mred bell\\x07 \\u202eevil"
    assert_inert(suppressed, shown_reason, "[/]evil\\x07\\u202e")
    assert_inert(run("--home", home, "findings", "show", reference), shown_reason, OBJECT[:11])
    assert_inert(run("--home", home, "findings", "list", "--all"), "suppressed")
    assert_inert(run("--home", home, "govern", "--show-suppressed"), "[/]\\x1b[31mred")
    stored = json.loads(run("--home", home, "findings", "show", reference, "-o", "json").stdout)
    assert (stored["suppressed_reason"], stored["suppressed_by"]) == (REASON, ACTOR)


def test_an_action_by_a_hostile_actor_leaves_the_audit_list_readable(
    governed: Path,
    kube_api: Any,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    namespace = "acme-dev"
    workload = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "odoo-web", "namespace": namespace},
        "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "odoo"}]}}},
    }
    kubeconfig = str(write_kubeconfig(tmp_path / "kubeconfig", kube_api([workload])))
    home = str(governed)
    plan = run("--home", home, "act", "run", "sleep", "-n", namespace, "--kubeconfig", kubeconfig)
    assert_inert(plan, "replicas 2 → 0")
    applied = run(
        "--home", home, "act", "run", "sleep", "-n", namespace,
        "--kubeconfig", kubeconfig, "--apply", "--by", ACTOR,
    )  # fmt: skip
    assert_inert(applied, "patched")
    for _ in range(2):  # the log is append-only: it must read now and every time after
        assert_inert(run("--home", home, "audit", "list"), "[/]evil\\x07\\u202e")
    entries = json.loads(run("--home", home, "audit", "list", "-o", "json").stdout)
    assert {e["actor"] for e in entries} == {ACTOR}
    assert_inert(run("--home", home, "audit", "verify"), "intact")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A small fleet loaded from a directory with a hostile name, and allocated; its catalog's
    first tenant named with markup and controls."""
    root = tmp_path_factory.mktemp("hostile")
    fleet = root / "fleet [bold red]x \x1b[31mred\x07\u202e"
    home = root / "project"
    env = UNSET
    generated = run(
        "generate", "fleet", "--tenants", "2", "--days", "2", "--seed", "1",
        "--start", "2026-10-01", "--out", str(fleet), env=env,
    )  # fmt: skip
    assert_inert(generated, "[bold red]x \\x1b[31mred\\x07\\u202e")
    catalog = (fleet / "costplane.yaml").read_text()
    first_name = catalog.index('  name: "') + len('  name: "')
    hostile_name = r"[/]\e[31mred [link=http://e]x[/link] \a \u202e"  # YAML escapes
    home.mkdir()
    (home / "costplane.yaml").write_text(  # the fleet's own stays as hashed in fleet.json
        catalog[:first_name] + hostile_name + catalog[catalog.index('"', first_name) :]
    )
    for args in (["ingest", "fleet", str(fleet)], ["allocate"]):
        assert_inert(run("--home", str(home), *args, env=env))
    yield home, fleet
    shutil.rmtree(root, ignore_errors=True)


def test_ingest_history_and_sources_status_show_a_hostile_cluster(
    loaded: tuple[Path, Path],
) -> None:
    home, fleet = loaded
    cluster = "[/]c\x1b]8;;http://e\x07"
    collected = run(
        "--home", str(home), "collect", "kubernetes",
        "--manifests", str(fleet / "kubernetes" / "eu-shared-1"), "--cluster", cluster, env=UNSET,
    )  # fmt: skip
    assert_inert(collected)
    shown = "[/]c\\x1b]8;;http://e\\x07"
    assert_inert(run("--home", str(home), "ingest", "history", env=UNSET), shown)
    assert_inert(run("--home", str(home), "sources", "status", env=UNSET), shown)


def test_report_tables_and_their_messages(loaded: tuple[Path, Path]) -> None:
    home = str(loaded[0])
    assert_inert(run("--home", home, "catalog", "validate", env=UNSET), "valid")
    for report in ("reconcile", "showback", "chargeback", "margin", "unit-cost"):
        assert_inert(
            run("--home", home, "report", report, "--period", "2026-10", env=UNSET), "2026-10"
        )
    refused = run(
        "--home", home, "report", "showback", "--period", "2026-10", "--by", ACTOR, env=UNSET
    )
    assert refused.exit_code == 2
    assert "[/]evil\\x07\\u202e" in refused.stderr
    assert not [c for c in STEERING if c in refused.stderr]
