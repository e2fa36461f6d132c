"""Governing: run the policies over the warehouse's inventory, or over GitOps manifests.

Against the warehouse the findings are recorded in the state store (new, reopened,
resolved); manifests are judged without a warehouse or a state store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from costplane.actions import action_options
from costplane.catalog import Catalog
from costplane.governance import (
    Finding,
    Policy,
    PriceSource,
    Review,
    RunRecord,
    govern_manifests,
    govern_warehouse,
    policies_with_pack,
    record_run,
)
from costplane.service.project import Project


@dataclass(frozen=True)
class GovernRequest:
    policies: tuple[Path, ...] = ()
    """Directories or files of policies; one with a pack policy's id replaces it."""
    include_pack: bool = True
    manifests: Path | None = None
    """Judge these Kubernetes manifests instead of the warehouse (nothing is recorded)."""
    prices: PriceSource = PriceSource.SHEET


@dataclass(frozen=True)
class Governed:
    """The review, its findings (suppressed ones included, marked), and what recording
    them changed (None for manifests)."""

    review: Review
    findings: tuple[Finding, ...]
    record: RunRecord | None
    notes: tuple[str, ...] = ()


def govern(project: Project, request: GovernRequest) -> Governed:
    loaded = policies_with_pack(
        list(request.policies), include_pack=request.include_pack, actions=action_options()
    )
    chosen = [item.policy for item in loaded]
    if request.manifests is None:
        return govern_project(project, chosen, prices=request.prices)
    catalog, notes = _optional_catalog(project)
    review = govern_manifests(request.manifests, catalog, chosen)
    return Governed(review, tuple(review.findings), None, notes)


def govern_project(
    project: Project, policies: list[Policy], *, prices: PriceSource = PriceSource.SHEET
) -> Governed:
    """Govern the project's warehouse and record the findings."""
    catalog = project.catalog()
    with project.warehouse(read_only=True) as warehouse, project.busy("governing"):
        review = govern_warehouse(warehouse, catalog, policies, prices=prices)
    findings, record = record_run(
        project.state(), review.findings, review.ran, dt.datetime.now(dt.UTC)
    )
    return Governed(review, tuple(findings), record)


def _optional_catalog(project: Project) -> tuple[Catalog | None, tuple[str, ...]]:
    """The project's catalog if it has one (entitlements, prices and label keys); else a
    note that policies on entitlements are skipped."""
    if not project.settings.catalog_path.exists():
        path = project.settings.catalog_path
        return None, (f"{path}: no catalog; policies on entitlements are skipped",)
    return project.catalog(), ()
