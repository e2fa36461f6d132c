"""Documents for the people who pay and decide: a tenant's statement (PDF, XLSX, HTML) and
the cost-governance board's report (PDF, XLSX), rendered from the service layer's typed
`Statement` and `BoardReport`.

Every surface renders through here: the CLI writes the bytes to `--out`, the REST API
answers with them (`media_type`). The models come from one operation each
(`costplane.service.statement`, `board_report`), so a document says what the JSON
reports say. docs/documents.md says what each holds and why these libraries.

ReportLab and openpyxl are imported when a document is rendered, not when the package is:
every `costplane` command imports the CLI, and only these two need them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from costplane.errors import InputError
from costplane.service import BoardReport, Statement


class DocumentFormat(enum.StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    HTML = "html"


MEDIA_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentFormat.HTML: "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class Rendered:
    """A document's bytes, what they are (for an HTTP answer) and a file name for them."""

    content: bytes
    format: DocumentFormat
    filename: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def render_statement(statement: Statement, fmt: DocumentFormat) -> Rendered:
    """The statement as PDF, XLSX or HTML."""
    name = f"statement-{statement.tenant}-{statement.period}.{fmt.value}"
    if fmt is DocumentFormat.PDF:
        from costplane.surfaces.documents.statement_pdf import statement_pdf

        return Rendered(statement_pdf(statement), fmt, name)
    if fmt is DocumentFormat.XLSX:
        from costplane.surfaces.documents.xlsx import statement_xlsx

        return Rendered(statement_xlsx(statement), fmt, name)
    from costplane.surfaces.documents.html import statement_html

    return Rendered(statement_html(statement), fmt, name)


BOARD_FORMATS = (DocumentFormat.PDF, DocumentFormat.XLSX)
"""The board report is read printed or worked on in a spreadsheet; no HTML page."""


def render_board(board: BoardReport, fmt: DocumentFormat) -> Rendered:
    """The board report as PDF or XLSX; InputError for another format."""
    name = f"board-{board.period}.{fmt.value}"
    if fmt is DocumentFormat.PDF:
        from costplane.surfaces.documents.board_pdf import board_pdf

        return Rendered(board_pdf(board), fmt, name)
    if fmt is DocumentFormat.XLSX:
        from costplane.surfaces.documents.xlsx import board_xlsx

        return Rendered(board_xlsx(board), fmt, name)
    choices = ", ".join(f.value for f in BOARD_FORMATS)
    raise InputError(f"--format {fmt.value}: the board report is written as {choices}")


__all__ = [
    "BOARD_FORMATS",
    "DocumentFormat",
    "Rendered",
    "render_board",
    "render_statement",
]
