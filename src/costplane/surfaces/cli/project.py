"""The project a command works on: its settings, catalog and stores, opened on demand.

A command that only reads opens the stores with `create=False`: in a directory
that is not a project it says so (exit 2) instead of leaving an empty store behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from sqlalchemy import Engine

from costplane.catalog import Catalog, load_catalog
from costplane.errors import InputError
from costplane.settings import Settings
from costplane.state import current_revision, head_revision, state_engine, upgrade
from costplane.warehouse import Warehouse, connect_warehouse


@dataclass
class Project:
    settings: Settings
    debug: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    def catalog(self, path: Path | None = None) -> Catalog:
        path = path or self.settings.catalog_path
        if not path.exists():
            raise InputError(
                f"{path}: no catalog here; write one (see examples/distribution-saas/) "
                "or run `costplane demo`"
            )
        return load_catalog(path)

    def warehouse(self, *, ensure_schema: bool = True, create: bool = True) -> Warehouse:
        """The warehouse, with its declared tables created or extended as needed;
        without `create`, the embedded one must exist already."""
        if self.settings.warehouse_url is None:
            if not create:
                self._require(self.settings.embedded_warehouse)
            self.settings.ensure_data_dir()
        warehouse = connect_warehouse(self.settings.warehouse_target)
        if ensure_schema:
            warehouse.ensure_schema()
        return warehouse

    def state(self, *, create: bool = True) -> Engine:
        """The state store. The embedded default migrates itself on first use;
        a configured server is migrated only by `costplane db upgrade`. Without
        `create`, the embedded one must exist already."""
        if self._engine is None:
            if self.settings.state_url is None:
                if not create:
                    self._require(self.settings.embedded_state)
                self.settings.ensure_data_dir()
            self._engine = state_engine(self.settings.state_target)
            if (
                self.settings.state_url is None
                and current_revision(self._engine) != head_revision()
            ):
                upgrade(self._engine)
        return self._engine

    def _require(self, store: Path) -> None:
        if not store.exists():
            raise InputError(
                f"{self.settings.home.resolve()}: no Costplane project here "
                f"(no {store.relative_to(self.settings.home)}); "
                "load data first (`costplane ingest`, `costplane collect`, `costplane demo`) "
                "or give --home"
            )


def project_of(ctx: typer.Context) -> Project:
    project = ctx.find_root().obj
    assert isinstance(project, Project), "the root callback sets the project"
    return project
