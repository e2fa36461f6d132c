"""Without the DejaVu fonts a PDF is an error naming the package, never a PDF whose tenant
names lose their ß and č; COSTPLANE_FONT_DIR points elsewhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from costplane.errors import ExecutionError
from costplane.surfaces.documents.fonts import FONT_DIRS, font_dir
from tests.documents.reading import unavailable


def test_missing_fonts_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTPLANE_FONT_DIR", str(tmp_path))
    with pytest.raises(ExecutionError, match="apt-get install fonts-dejavu-core"):
        font_dir()


def test_a_font_directory_can_be_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = next((d for d in FONT_DIRS if (d / "DejaVuSans.ttf").is_file()), None)
    if found is None:
        unavailable("the DejaVu fonts are not installed (fonts-dejavu-core)")
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        shutil.copyfile(found / name, tmp_path / name)
    monkeypatch.setenv("COSTPLANE_FONT_DIR", str(tmp_path))
    assert font_dir() == tmp_path
