"""A served copy of the demo project, with a token of every role.

The session's demo project is read-only; tokens are written to the state store, so the
server tests serve a copy (the catalog and `.costplane/`, with their modification times,
so the warehouse's read copy stays current), made once per module.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from costplane.service import Project, Role, TokenRequest, create_token
from costplane.settings import Settings
from costplane.surfaces.server import create_app
from tests.conftest import Demo

TENANT = "alpen-bearings"
"""The tenant whose token the isolation tests hold (a small shared-standard tenant)."""


def copy_project(home: Path, to: Path) -> Path:
    """The demo's catalog and stores (not its fleet files), modification times kept."""
    to.mkdir(parents=True)
    shutil.copy2(home / "costplane.yaml", to / "costplane.yaml")
    shutil.copytree(home / ".costplane", to / ".costplane", copy_function=shutil.copy2)
    return to


@dataclass
class Served:
    home: Path
    project: Project
    client: TestClient
    tokens: dict[str, str]
    """A token per role name, and `tenant` for TENANT's."""

    def get(self, url: str, role: str = "admin", **kwargs: object) -> object:
        return self.client.get(url, headers=self.auth(role), **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.project.close()

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def serve_copy(demo: Demo, where: Path, *, warm: bool = False) -> Served:
    home = copy_project(demo.home, where)
    project = Project(Settings(home=home))
    tokens = {}
    for role in Role:
        tenant = TENANT if role is Role.TENANT else None
        issued = create_token(project, TokenRequest(role, tenant, subject=f"{role}-person"))
        tokens[role.value] = issued.token
    client = TestClient(create_app(project, warm=warm), raise_server_exceptions=False)
    client.__enter__()  # its lifespan: the app closes its state store when the client closes
    return Served(home, project, client, tokens)


@pytest.fixture(scope="module")
def served(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    done = serve_copy(demo, tmp_path_factory.mktemp("served") / "demo")
    yield done
    done.close()
