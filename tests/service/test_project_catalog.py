"""The project's catalog is parsed once per change of the file, and every change is seen,
even one within the file system's clock tick that keeps the size."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from costplane.errors import InputError
from costplane.service import Project
from costplane.settings import Settings

EXAMPLE = Path(__file__).parents[2] / "examples" / "distribution-saas" / "costplane.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    shutil.copyfile(EXAMPLE, tmp_path / "costplane.yaml")
    return Project(Settings(home=tmp_path))


def test_an_unchanged_catalog_is_parsed_once(project: Project) -> None:
    first = project.catalog()
    assert project.catalog() is first
    old = project.settings.catalog_path.stat().st_mtime_ns - 10_000_000_000
    os.utime(project.settings.catalog_path, ns=(old, old))  # settled: long before reading
    assert project.catalog() is first
    assert project.catalog() is first, "a settled file is not even read again"


def test_an_edit_keeping_size_and_time_is_seen(project: Project) -> None:
    path = project.settings.catalog_path
    before = project.catalog()
    status = path.stat()
    text = path.read_text()
    currency = before.currency
    other = "USD" if currency != "USD" else "EUR"
    assert f"currency: {currency}" in text
    path.write_text(text.replace(f"currency: {currency}", f"currency: {other}", 1))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # as if within one tick
    assert path.stat().st_size == status.st_size
    assert project.catalog().currency == other


def test_an_edit_is_seen_and_a_broken_one_is_an_input_error(project: Project) -> None:
    path = project.settings.catalog_path
    project.catalog()
    path.write_text(path.read_text() + "\nnot: [closed\n")
    with pytest.raises(InputError):
        project.catalog()
    path.unlink()
    with pytest.raises(InputError, match="no catalog here"):
        project.catalog()
