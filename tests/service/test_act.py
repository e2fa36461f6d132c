"""The act operations called directly, as the REST API will: the same plans the CLI prints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costplane.errors import InputError
from costplane.service import ActOptions, Mode, Project, RunRequest, run_action, to_document
from costplane.settings import Settings
from costplane.surfaces.cli import app
from tests.actions.conftest import NAMESPACE, cronjob, deployment

NIGHT = "2026-01-06T19:00:00+00:00"


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    directory = tmp_path / "base"
    directory.mkdir()
    objects = [deployment("odoo-web", 3), cronjob("odoo-cron")]
    (directory / "workloads.yaml").write_text("\n---\n".join(json.dumps(o) for o in objects))
    return directory


def test_a_dry_run_returns_the_plan_the_cli_prints(manifests: Path, tmp_path: Path) -> None:
    home = tmp_path / "project"
    options = ActOptions(now=dt.datetime.fromisoformat(NIGHT), manifests=manifests)
    request = RunRequest(action="sleep", namespaces=(NAMESPACE,))
    acted = run_action(Project(Settings(home=home)), request, options)
    assert acted.mode is Mode.DRY_RUN
    assert sorted(change.name for change in acted.plan.changes) == ["odoo-cron", "odoo-web"]
    flags = ["--manifests", str(manifests), "--now", NIGHT, "-o", "json"]
    printed = CliRunner().invoke(
        app, ["--home", str(home), "act", "run", "sleep", "-n", NAMESPACE, *flags]
    )
    assert printed.exit_code == 0, printed.stderr
    assert json.loads(printed.stdout) == to_document(acted.document())
    assert not (home / ".costplane").exists()  # a dry run writes nothing


def test_gitops_mode_needs_its_directory_and_only_it_has_one(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(InputError):
        ActOptions(now=now, mode=Mode.GITOPS)
    with pytest.raises(InputError):
        ActOptions(now=now, mode=Mode.APPLY, gitops=tmp_path)
    assert ActOptions(now=now, mode=Mode.GITOPS, gitops=tmp_path).gitops == tmp_path
