"""tests/data holds public samples the tests read: each folder says in its SOURCE.md where each
file comes from and under what licence, with its SHA-256, and the files are those bytes (not
converted line endings, not a Git LFS pointer)."""

from __future__ import annotations

import hashlib
import re

from tests.conftest import SAMPLE_DATA

SHA256 = re.compile(r"`([0-9a-f]{64})`")


def test_every_sample_is_the_file_its_source_names() -> None:
    folders = sorted(p for p in SAMPLE_DATA.iterdir() if p.is_dir())
    assert [f.name for f in folders] == ["crds", "focus", "odoo"]
    for folder in folders:
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "Licence" in source, folder
        stated = set(SHA256.findall(source))
        files = sorted(p for p in folder.iterdir() if p.name != "SOURCE.md")
        assert files, folder
        actual = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in files}
        assert set(actual) == stated, f"{folder.name}: {sorted(actual.values())}"
        for name in actual.values():
            assert f"`{name}`" in source or f"/{name}`" in source, name
