"""The PDF's fonts: DejaVu Sans from Debian's `fonts-dejavu-core`, so every character a
tenant's name or an address may hold (ß, č, €, –) prints, which ReportLab's built-in
Helvetica (Latin-1 only) cannot promise. No silent fallback: a statement with missing
glyphs would be wrong without anyone noticing, so a missing font is an error saying
what to install (or `COSTPLANE_FONT_DIR` naming a directory that holds the files)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from costplane.errors import ExecutionError

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),  # Fedora, Arch
    Path("/usr/local/share/fonts/dejavu"),
)
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


def font_dir() -> Path:
    """The first directory holding both DejaVu Sans files; ExecutionError when none does."""
    configured = os.environ.get("COSTPLANE_FONT_DIR")
    candidates = (Path(configured),) if configured else FONT_DIRS
    for directory in candidates:
        if all((directory / f"{name}.ttf").is_file() for name in (REGULAR, BOLD)):
            return directory
    looked = ", ".join(str(d) for d in candidates)
    raise ExecutionError(
        f"PDF needs the DejaVu Sans fonts ({REGULAR}.ttf, {BOLD}.ttf), not found in {looked}: "
        "install them (Debian and Ubuntu: apt-get install fonts-dejavu-core) or set "
        "COSTPLANE_FONT_DIR to a directory that holds them"
    )


@cache
def registered() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) with ReportLab once; their names."""
    directory = font_dir()
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(directory / f"{name}.ttf")))
    return REGULAR, BOLD
