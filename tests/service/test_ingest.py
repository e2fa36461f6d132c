"""Loading a FOCUS bill, its history and a restore, called directly as the REST API will."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.errors import InputError
from costplane.service import Project, ingest_focus, ingest_history, restore_load
from costplane.settings import Settings
from costplane.sources.focus import FocusOptions

SAMPLE = Path(__file__).parents[1] / "data" / "focus" / "focus_sample.csv"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(Settings(home=tmp_path / "project"))


def test_a_bill_is_loaded_and_its_files_described(project: Project) -> None:
    loaded = ingest_focus(project, [SAMPLE], FocusOptions())
    [file] = loaded.files
    assert file.path == SAMPLE
    assert file.rows == sum(result.rows_written for result in loaded.results) > 0
    assert isinstance(file.billed_cost, Decimal)
    assert all(result.table == "billing_lines" for result in loaded.results)


def test_a_cut_reload_is_refused_then_forced_and_its_predecessor_restored(
    project: Project, tmp_path: Path
) -> None:
    first = ingest_focus(project, [SAMPLE], FocusOptions())
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(lines[: max(2, len(lines) // 3)]), encoding="utf-8")
    with pytest.raises(InputError, match="would shrink"):
        ingest_focus(project, [cut], FocusOptions())
    forced = ingest_focus(project, [cut], FocusOptions(), allow_shrink=True)
    history = ingest_history(project, 50, replaced_only=True)
    replaced = {r.replaced_load_id for r in forced.results if r.replaced_load_id is not None}
    assert replaced, "the cut file reloads at least one billing period"
    assert {run.load_id for run in history.runs} == replaced
    assert {getattr(history.fate(run), "state", None) for run in history.runs} == {"replaced"}
    load_id = min(replaced)
    again = restore_load(project, load_id)
    [original] = [result for result in first.results if result.load_id == load_id]
    assert again.rows_written == original.rows_written
    assert again.restored_from == load_id
    lineage = ingest_history(project, 50).lineage or {}
    assert lineage[load_id].state == "restored"
    assert lineage[load_id].replaced_by == again.load_id


def test_history_of_a_project_with_nothing_loaded_is_empty(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    home.mkdir()
    shutil.copy(SAMPLE, home / "bill.csv")  # a directory with files is not yet a project
    (home / ".costplane").mkdir()
    history = ingest_history(Project(Settings(home=home)), 10)
    assert history.runs == ()
    assert history.lineage == {}
    assert history.warning is None
