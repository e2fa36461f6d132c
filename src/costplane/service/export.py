"""Exporting the allocation of one month for other tools: FOCUS 1.2 as Parquet or CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from costplane.allocation import (
    DEFAULT_PROVIDER,
    FocusExport,
    FocusProvider,
    Window,
    export_focus,
    focus_suffix,
)
from costplane.service.project import Project
from costplane.written_file import check_target, shown


@dataclass(frozen=True)
class FocusRequest:
    month: Window
    out: Path
    """.parquet, .csv or .csv.gz: the format follows the name."""
    provider: str = DEFAULT_PROVIDER
    billing_account: str | None = None


def export_month(project: Project, request: FocusRequest) -> FocusExport:
    """Write the month as FOCUS; a target of the wrong name or kind is refused before
    anything is read."""
    focus_suffix(request.out)
    check_target(request.out, label=f"--out {shown(request.out)}")  # a device, a FIFO, a link
    catalog = project.catalog()
    chosen = FocusProvider(name=request.provider, billing_account_id=request.billing_account)
    with project.warehouse(create=False) as warehouse, project.busy("exporting"):
        return export_focus(warehouse, catalog, request.month, request.out, chosen)
