"""The catalog's `branding`: a bad logo is a catalog problem at its line (exit 2, nothing
written); a good one, with the name and address, is on the statement."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from costplane.catalog import load_catalog
from costplane.errors import InputProblemsError
from tests.conftest import DEMO_PERIOD, Run
from tests.documents.reading import cli_ok, needs_tools, pdf_text

BRANDING = """
branding:
  name: "Nordlicht Hosting GmbH"
  logo: {logo}
  address:
    - "Hafenstraße 1"
    - "20457 Hamburg"
"""


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (47, 111, 159)).save(out, "PNG")
    return out.getvalue()


def branded(source: Path, into: Path, logo: str) -> Path:
    """A copy of the project whose catalog ends with a branding section naming `logo`."""
    home = into / "project"
    shutil.copytree(source, home, ignore=shutil.ignore_patterns("fleet"))
    catalog = home / "costplane.yaml"
    catalog.write_text(without_branding(catalog.read_text()) + BRANDING.format(logo=logo))
    return home


def without_branding(text: str) -> str:
    """The catalog without its top-level `branding:` section (the demo's has one)."""
    kept, inside = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("branding:"):
            inside = True
        elif inside and line[:1] not in (" ", "-", "\n"):
            inside = False
        if not inside:
            kept.append(line)
    return "".join(kept)


@pytest.mark.parametrize(
    ("logo", "content", "message"),
    [
        ("logo.png", None, "'logo.png' does not exist (it is read relative to the catalog file)"),
        ("logo.png", b"GIF89a...", "'logo.png' is not a PNG image"),
        ("logo.gif", b"GIF89a...", "a logo is a PNG or JPEG file (.png, .jpg, .jpeg)"),
        ("../logo.png", None, "expected a path relative to the catalog file"),
    ],
)
def test_a_bad_logo_is_a_catalog_problem_at_its_line(
    demo_home: Path, tmp_path: Path, cli: Run, logo: str, content: bytes | None, message: str
) -> None:
    home = branded(demo_home, tmp_path, logo)
    if content is not None:
        (home / logo).write_bytes(content)
    catalog = home / "costplane.yaml"
    line = catalog.read_text().splitlines().index(f"  logo: {logo}") + 1
    with pytest.raises(InputProblemsError) as raised:
        load_catalog(catalog)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(catalog), line)
    assert message in problem.message
    assert problem.message.startswith("branding.logo: ")
    out = tmp_path / "statement.pdf"
    result = cli("--home", str(home), "report", "statement", "--tenant", "alpen-bearings",
                 "--period", DEMO_PERIOD, "--out", str(out))  # fmt: skip
    assert result.exit_code == 2
    assert f"{catalog}:{line}:" in result.stderr
    assert not out.exists()


def test_the_statement_carries_the_branding(demo_home: Path, tmp_path: Path) -> None:
    needs_tools()  # poppler-utils and the fonts: skip (or fail in CI) before any work
    home = branded(demo_home, tmp_path, "brand/logo.png")
    (home / "brand").mkdir()
    (home / "brand" / "logo.png").write_bytes(png())
    pdf, page = tmp_path / "statement.pdf", tmp_path / "statement.html"
    for out in (pdf, page):
        cli_ok("--home", str(home), "report", "statement", "--tenant", "alpen-bearings",
               "--period", DEMO_PERIOD, "--format", out.suffix[1:], "--out", str(out))  # fmt: skip
    text = pdf_text(pdf)
    for line in ("Nordlicht Hosting GmbH", "Hafenstraße 1", "20457 Hamburg"):
        assert line in text
    assert b"/Subtype /Image" in pdf.read_bytes()
    html = page.read_text(encoding="utf-8")
    assert "Nordlicht Hosting GmbH" in html
    assert "Hafenstraße 1" in html
    assert 'src="data:image/png;base64,' in html
    assert re.findall(r"(?:src|href)\s*=\s*\"([a-z]+:)", html) == ["data:"]
