"""Loading data into the warehouse: a generated fleet, FOCUS bills, a kept load restored,
and the history of what was loaded and what became of each load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from costplane.errors import CostplaneError, ExecutionError, InputError
from costplane.service.project import Project
from costplane.settings import CATALOG_FILE
from costplane.sources import fleet_loads, open_and_ingest, read_manifest, verify_files
from costplane.sources import restore as restore_kept_load
from costplane.sources.focus import FocusFile, FocusOptions, read_focus_bill
from costplane.state import IngestRun, recent_runs, runs_of_loads
from costplane.warehouse import LoadRecord, LoadResult, ReplacedLoad
from costplane.written_file import write_bytes


def ingest_fleet(
    project: Project, directory: Path, *, allow_shrink: bool = False
) -> list[LoadResult]:
    """Every load of the fleet, through the warehouse's idempotent ingest."""
    loads = fleet_loads(directory, project.catalog().labels)
    with project.busy("loading into the warehouse"):
        return open_and_ingest(project.warehouse, project.state(), loads, allow_shrink=allow_shrink)


def adopt_fleet_catalog(project: Project, directory: Path) -> Path | None:
    """Give a project without a catalog the fleet's (checked against fleet.json first);
    the catalog written, or None when the project has one."""
    target = project.settings.catalog_path
    if target.exists():
        return None
    verify_files(directory, read_manifest(directory), [CATALOG_FILE])
    project.settings.home.mkdir(parents=True, exist_ok=True)
    write_bytes(target, (directory / CATALOG_FILE).read_bytes())
    return target


@dataclass(frozen=True)
class FocusIngest:
    """FOCUS files loaded: what each file held, and the loads written."""

    files: tuple[FocusFile, ...]
    results: tuple[LoadResult, ...]


def ingest_focus(
    project: Project, files: Sequence[Path], options: FocusOptions, *, allow_shrink: bool = False
) -> FocusIngest:
    """Every row checked first, then the files' billing periods in one transaction."""
    bill = read_focus_bill(list(files), options)
    with bill, project.busy("loading into the warehouse"):
        results = open_and_ingest(
            project.warehouse, project.state(), bill.loads, allow_shrink=allow_shrink
        )
    return FocusIngest(tuple(bill.files), tuple(results))


def restore_load(project: Project, load_id: int) -> LoadResult:
    """Bring a replaced load back; the load it replaces is kept, so this can be undone too."""
    with project.warehouse() as warehouse:
        return restore_kept_load(warehouse, project.state(), load_id)


@dataclass(frozen=True)
class LoadFate:
    """What became of a load: still current, replaced (and kept), or restored as a later one."""

    state: str
    replaced_load_id: int | None = None
    restored_from: int | None = None
    replaced_by: int | None = None


@dataclass(frozen=True)
class IngestHistory:
    """The runs asked for, newest first, with the fate of each run's load; `lineage` is None
    (and `warning` says why) when the warehouse could not be read."""

    runs: tuple[IngestRun, ...]
    lineage: dict[int, LoadFate] | None
    warning: str | None = None

    def fate(self, run: IngestRun) -> LoadFate | None:
        if run.load_id is None or self.lineage is None:
            return None
        # A load the warehouse no longer holds was replaced before replaced loads were kept.
        return self.lineage.get(run.load_id, LoadFate("discarded"))


def ingest_history(project: Project, limit: int, *, replaced_only: bool = False) -> IngestHistory:
    state = project.state(create=False)
    lineage, warning = load_lineage(project)
    if not replaced_only:
        runs = recent_runs(state, limit)
    elif lineage is None:
        raise ExecutionError(f"the warehouse cannot be read to find replaced loads: {warning}")
    else:
        kept = [load_id for load_id, fate in lineage.items() if fate.state == "replaced"]
        runs = runs_of_loads(state, kept, limit)
    return IngestHistory(tuple(runs), lineage, warning)


def load_lineage(project: Project) -> tuple[dict[int, LoadFate] | None, str | None]:
    """Every load the warehouse knows, by id; None and the reason when it cannot be read."""
    try:
        with project.warehouse(create=False) as warehouse:
            return lineage_of(warehouse.loads(), warehouse.replaced_loads()), None
    except InputError:  # no warehouse: no load survives
        return {}, None
    except CostplaneError as error:
        return None, f"load states unknown: {error}"


def lineage_of(current: list[LoadRecord], kept: list[ReplacedLoad]) -> dict[int, LoadFate]:
    fates: dict[int, LoadFate] = {}
    for record in current:
        fates[record.load_id] = LoadFate("current", record.replaced_load_id, record.restored_from)
    for k in kept:
        r = k.record
        fates[r.load_id] = LoadFate("replaced", r.replaced_load_id, r.restored_from, k.replaced_by)
    for record in [*current, *(k.record for k in kept)]:
        if record.restored_from is not None and record.restored_from not in fates:
            fates[record.restored_from] = LoadFate("restored", replaced_by=record.load_id)
    return fates
