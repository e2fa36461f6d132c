"""`costplane record restore-test` records who ran the test in a column of its own: `--by`,
else $COSTPLANE_ACTOR, else the login name, as `findings ack` does."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"


def _ran_by(home: Path) -> list[tuple[str, dt.datetime, str, str]]:
    engine = create_engine(f"sqlite:///{home / '.costplane' / 'state.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT tenant, tested_at, result, ran_by FROM restore_tests ORDER BY id")
        )
        found = [(r[0], dt.datetime.fromisoformat(str(r[1])), r[2], r[3]) for r in rows]
    engine.dispose()
    return found


def test_by_defaults_to_the_actor_and_is_kept_in_its_own_column(cli: Run, tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLE, tmp_path / "costplane.yaml")
    home = ["--home", str(tmp_path), "record", "restore-test", "--tenant", "alpenpharm"]
    first = cli(*home, "--at", "2025-03-03T04:10:00Z", "--result", "failed", "-o", "json",
                env={"COSTPLANE_ACTOR": "ci-restore-job"})  # fmt: skip
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["by"] == "ci-restore-job"
    named = cli(*home, "--at", "2025-03-03T04:10:00Z", "--result", "ok", "--by", "anna",
                "-o", "json")  # fmt: skip
    assert json.loads(named.stdout)["by"] == "anna"
    assert json.loads(named.stdout)["replaced"] is True
    nobody = cli(*home, "--at", "2025-03-10T04:10:00Z", "--result", "ok", "-o", "json",
                 env={"COSTPLANE_ACTOR": ""})  # fmt: skip
    assert json.loads(nobody.stdout)["by"] == getpass.getuser()
    assert _ran_by(tmp_path) == [
        ("alpenpharm", dt.datetime(2025, 3, 3, 4, 10), "ok", "anna"),
        ("alpenpharm", dt.datetime(2025, 3, 10, 4, 10), "ok", getpass.getuser()),
    ]
