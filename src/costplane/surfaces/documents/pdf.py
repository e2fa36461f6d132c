"""What the PDF documents share: the page, the letterhead, headings and tables (ReportLab).

ReportLab is pure Python wheels (no system library), draws its own charts and embeds
TrueType fonts, so a PDF renders the same wherever Costplane runs; `fonts.py` says
which fonts and why.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from costplane.service import Letterhead
from costplane.surfaces.documents.fonts import registered

INK = colors.HexColor("#1f2933")
RULE = colors.HexColor("#c4cdd5")
SHADE = colors.HexColor("#eef2f5")
ACCENT = colors.HexColor("#2f6f9f")
WIDTH = A4[0] - 36 * mm
"""The text width: A4 less the margins."""


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    right: ParagraphStyle


def styles() -> Styles:
    regular, bold = registered()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12, textColor=INK)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5),
        title=ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=bold,
            fontSize=11,
            leading=14,
            spaceBefore=10,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    )


def text(value: str) -> str:
    """Plain text for a Paragraph, which reads a little markup: <, > and & escaped."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def letterhead(head: Letterhead, style: Styles) -> Flowable:
    """The logo (at most 18 mm high) on the left, the sender's name and address right."""
    lines = [f"<b>{text(head.name)}</b>", *(text(line) for line in head.address)]
    sender = Paragraph("<br/>".join(lines), style.right)
    logo: Flowable = Spacer(1, 1)
    if head.logo is not None:
        width, height = ImageReader(io.BytesIO(head.logo)).getSize()
        scale = min(18 * mm / height, 60 * mm / width)
        logo = Image(io.BytesIO(head.logo), width=width * scale, height=height * scale)
        logo.hAlign = "LEFT"
    table = Table([[logo, sender]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int],
    *,
    widths: Sequence[float] | None = None,
    total: bool = False,
) -> Table:
    """A table of text cells: a bold header, `numeric` columns right-aligned, the last row
    bold and ruled above when it is a `total`."""
    regular, bold = registered()
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), regular, 8),
        ("FONT", (0, 0), (-1, 0), bold, 8),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in numeric]
    if total and rows:
        commands += [
            ("FONT", (0, -1), (-1, -1), bold, 8),
            ("LINEABOVE", (0, -1), (-1, -1), 0.5, INK),
        ]
    found = Table([list(header), *[list(row) for row in rows]], colWidths=widths, repeatRows=1)
    found.setStyle(TableStyle(commands))
    found.hAlign = "LEFT"
    return found


def build(flowables: Sequence[Flowable], title: str, author: str) -> bytes:
    """The PDF's bytes: A4, 18 mm margins, page numbers in the footer."""
    regular, _ = registered()
    out = io.BytesIO()

    def footer(canvas: Any, document: Any) -> None:
        del document
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.setFillColor(INK)
        page = canvas.getPageNumber()
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{title} · page {page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        creator="Costplane",
    )
    document.build(list(flowables), onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
