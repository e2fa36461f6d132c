"""Documents read back as a user would: a PDF's text (pdftotext) and its pages rendered
(pdftoppm), an XLSX's cells (openpyxl), the JSON reports they must agree with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from costplane.surfaces.cli import app


def unavailable(message: str) -> NoReturn:
    if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def needs_tools() -> None:
    """pdftotext and pdftoppm (poppler-utils), DejaVu (fonts-dejavu-core)."""
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed (poppler-utils)")
    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file():
        unavailable("the DejaVu fonts are not installed (fonts-dejavu-core)")


def pdf_text(path: Path) -> str:
    """The PDF's text, laid out as printed; pages are separated by form feeds."""
    needs_tools()
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def rendered_pages(path: Path, into: Path) -> list[Path]:
    """Every page rendered to PNG (pdftoppm exits non-zero, or says so, on a broken page)."""
    needs_tools()
    done = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(path), str(into / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    pages = sorted(into.glob("page*.png"))
    assert all(page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for page in pages)
    return pages


def cli_ok(*args: str, env: dict[str, str] | None = None) -> str:
    done = CliRunner().invoke(app, list(args), env=env)
    assert done.exit_code == 0, done.stderr
    return done.stdout


def report_json(home: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return json.loads(cli_ok("--home", str(home), "report", *args, "-o", "json", env=env))


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


def cells(path: Path, sheet: str) -> list[list[Any]]:
    """The sheet's cells (openpyxl Cell objects), row by row: values and number formats."""
    book = load_workbook(path)
    return [list(row) for row in book[sheet].iter_rows()]


def row_of(rows: list[tuple[Any, ...]], label: str, start: int = 0) -> tuple[Any, ...]:
    """The first row from `start` whose first cell is `label`."""
    return next(row for row in rows[start:] if row and row[0] == label)


def amount(value: Any) -> Decimal:
    """A cell that must hold a number (never text), as a Decimal to compare with JSON."""
    assert isinstance(value, int | float), repr(value)
    assert not isinstance(value, bool), repr(value)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def money(value: str | Decimal) -> str:
    """An amount as the PDF prints it: to the cent, half up, thousands separated."""
    from costplane.money import cents

    return f"{cents(Decimal(value)):,.2f}"
