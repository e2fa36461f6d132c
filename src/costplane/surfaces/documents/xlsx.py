"""Statements and board reports as XLSX workbooks (openpyxl): every amount a real number
with a currency number format, never text, so finance can sum and pivot it; amounts are
written as the reports hold them (a cost exact to nine decimals, shown to the cent), so
a cell equals the JSON report's value, not a rounding of it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from costplane.service import BoardReport, PolicyWaste, Statement
from costplane.surfaces.documents.statement_text import (
    KINDS,
    contract_text,
    coverage_text,
    place,
    rules_text,
)

Cell = str | int | Decimal | dt.date | None
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F5")
TOTAL_BORDER = Border(top=Side(style="thin"))
PERCENT = '0.0" %"'


def money_format(currency: str) -> str:
    """`#,##0.00 "EUR"`: two decimals, thousands separated, the currency code after."""
    return f'#,##0.00 "{currency}"'


class Sheet:
    """One worksheet written row by row; `money` columns get the currency format."""

    def __init__(self, book: Workbook, title: str, currency: str, *, first: bool = False) -> None:
        self.ws: Any = book.active if first else book.create_sheet()
        self.ws.title = title
        self.money = money_format(currency)

    def line(self, *cells: Cell, bold: bool = False) -> int:
        self.ws.append(list(cells))
        row: int = self.ws.max_row
        if bold:
            for cell in self.ws[row]:
                cell.font = BOLD
        return row

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        *,
        money: Sequence[int] = (),
        percent: Sequence[int] = (),
        total: bool = False,
    ) -> tuple[int, int]:
        """The header and rows; (first row, last row) of the data."""
        top = self.line(*header, bold=True)
        for cell in self.ws[top]:
            cell.fill = HEADER_FILL
        for row in rows:
            at = self.line(*row)
            for column in money:
                self.ws.cell(at, column + 1).number_format = self.money
            for column in percent:
                self.ws.cell(at, column + 1).number_format = PERCENT
        last: int = self.ws.max_row
        if total and rows:
            for cell in self.ws[last]:
                cell.font = BOLD
                cell.border = TOTAL_BORDER
        self.line()
        return top + 1, last

    def widths(self, *widths: int) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width


def _policy_rows(rows: Sequence[PolicyWaste], total: Decimal) -> list[list[Cell]]:
    found: list[list[Cell]] = [[p.policy, p.findings, p.monthly_waste] for p in rows]
    return [*found, ["total", sum(p.findings for p in rows), total]]


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statement_xlsx(statement: Statement) -> bytes:
    s, currency = statement, statement.currency
    book = Workbook()
    sheet = Sheet(book, "Statement", currency, first=True)
    sheet.widths(44, 18, 18, 14, 14, 14, 14)
    sheet.line(s.letterhead.name, bold=True)
    for line in s.letterhead.address:
        sheet.line(line)
    sheet.line()
    sheet.line(f"Statement {s.period}: {s.tenant_name}", bold=True)
    sheet.line("tenant", s.tenant)
    sheet.line("service class", s.service_class)
    sheet.line("period", coverage_text(s))
    sheet.line("issued", s.issued.isoformat())
    sheet.line("currency", currency)
    sheet.line()
    sheet.table(
        ["contract", "monthly fee", "currency"],
        [[contract_text(c), c.monthly_fee, c.currency] for c in s.contracts],
        money=[1],
    )
    sheet.table(
        ["", "amount"],
        [
            ["fee for the period", s.fee],
            ["cost counted by the chargeback rules", s.charge.cost],
            ["charge", s.charge.charge],
            ["minimum charge adjustment", s.charge.minimum],
            ["total charged", s.charge.total],
        ],
        money=[1],
        total=True,
    )
    sheet.line(rules_text(s.rules))
    for note in s.notes:
        sheet.line(f"note: {note}")

    costs = Sheet(book, "Cost", currency)
    costs.widths(16, 16, 14, 14, 14, 14, 14)
    costs.table(
        ["environment", "cost domain", *KINDS, "total"],
        [
            [*place(line), *(getattr(line.costs, k) for k in KINDS), line.costs.total]
            for line in s.costs
        ]
        + [["total", None, *(getattr(s.cost, k) for k in KINDS), s.cost.total]],
        money=[2, 3, 4, 5, 6],
        total=True,
    )

    over = Sheet(book, "Beyond entitlements", currency)
    over.widths(14, 22, 12, 12, 10, 14, 80)
    over.table(
        ["environment", "entitlement", "entitled", "used", "unit", "a month", "basis"],
        [
            [o.environment, o.entitlement, o.entitled, o.used, o.unit, o.monthly_amount, o.basis]
            for o in s.over
        ],
        money=[5],
    )
    return _saved(book)


BILL_PARTS = (
    ("allocated", "to tenants"),
    ("shared", "shared"),
    ("idle", "idle"),
    ("unallocated", "unallocated"),
    ("billed", "the bill"),
)
"""Where the bill went, then the bill (reconcile's columns: the parts add up to it)."""


def board_xlsx(board: BoardReport) -> bytes:
    b, currency = board, board.currency
    book = Workbook()
    bill = Sheet(book, "Bill", currency, first=True)
    bill.widths(22, 18, 18, 18)
    bill.line(b.letterhead.name, bold=True)
    bill.line(f"Cost-governance board report {b.period}", bold=True)
    bill.line("issued", b.issued.isoformat())
    bill.line()
    before = b.before
    header = ["where the bill went", f"{b.period} ({b.bill.period_label})"]
    header += [f"{before.period} ({before.period_label})"] if before is not None else []
    first, last = bill.table(
        header,
        [
            [label, getattr(b.bill.total, part)]
            + ([getattr(before.total, part)] if before is not None else [])
            for part, label in BILL_PARTS
        ],
        money=[1, 2],
    )
    if before is None:
        bill.line("the month before: none of its days is allocated")
    chart = BarChart()
    chart.title = "Where the bill went"
    chart.y_axis.title = currency
    parts = last - 1  # the chart shows the parts, not the bill they add up to
    data = Reference(bill.ws, min_col=2, max_col=len(header), min_row=first - 1, max_row=parts)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(bill.ws, min_col=1, min_row=first, max_row=parts))
    bill.ws.add_chart(chart, "F2")
    for note in b.notes:
        bill.line(f"note: {note}")

    margins = Sheet(book, "Margin", currency)
    margins.widths(26, 20, 10, 16, 16, 16, 12)
    margins.table(
        ["service class", "", "tenants", "fee", "cost", "margin", "margin %"],
        [
            [m.service_class, None, m.tenants, m.fee, m.cost, m.margin, m.margin_percent]
            for m in b.margins
        ]
        + [["total", None, sum(m.tenants for m in b.margins), b.fee, b.cost, b.margin, None]],
        money=[3, 4, 5],
        percent=[6],
        total=True,
    )
    margins.line("the five tenants with the worst margin", bold=True)
    margins.table(
        ["tenant", "service class", "contract days", "fee", "cost", "margin", "margin %"],
        [
            [t.tenant, t.service_class, t.contract_days, t.fee, t.cost, t.margin, t.margin_percent]
            for t in b.worst
        ],
        money=[3, 4, 5],
        percent=[6],
    )

    waste = Sheet(book, "Waste", currency)
    waste.widths(30, 12, 18)
    waste.line("findings standing (open or acknowledged), by policy", bold=True)
    waste.table(
        ["policy", "findings", "monthly waste"],
        _policy_rows(b.waste, b.waste_total),
        money=[2],
        total=True,
    )
    waste.line(f"fixed in {b.period}: findings resolved, by policy", bold=True)
    waste.table(
        ["policy", "findings", "monthly waste"],
        _policy_rows(b.fixed, b.fixed_total),
        money=[2],
        total=True,
    )

    plans = Sheet(book, "Budgets and forecast", currency)
    plans.widths(26, 16, 16, 12, 18, 12)
    plans.table(
        ["budget", "monthly amount", "actual", "actual %", "month-end forecast", "forecast %"],
        [
            [x.budget, x.monthly_amount, x.actual, x.actual_percent, x.forecast, x.forecast_percent]
            for x in b.budgets
        ],
        money=[1, 2, 4],
        percent=[3, 5],
    )
    as_of = f" (as of {b.forecast_as_of})" if b.forecast_as_of is not None else ""
    plans.line(f"forecast of the total allocated cost{as_of}", bold=True)
    plans.table(
        ["month", "actual to date", "p10", "p50", "p90"],
        [[m.month, m.actual_to_date, m.p10, m.p50, m.p90] for m in b.forecast],
        money=[1, 2, 3, 4],
    )

    dr = Sheet(book, "DR", currency)
    dr.widths(26, 22, 40)
    if b.dr is None:
        dr.line("no contracted tenant has a DR requirement to check")
    else:
        dr.line("tenants", b.dr.tenants)
        dr.line("passing every requirement", b.dr.passing)
        dr.line()
        dr.table(
            ["tenant", "service class", "failing requirements"],
            [[f.tenant, f.service_class, ", ".join(f.requirements)] for f in b.dr.failing],
        )

    daily = Sheet(book, "Daily", currency)
    daily.widths(12, 16, 16, 16, 16, 16)
    first, last = daily.table(
        ["day", *(label for _, label in BILL_PARTS)],
        [[d.date, *(getattr(d, part) for part, _ in BILL_PARTS)] for d in b.daily],
        money=[1, 2, 3, 4, 5],
    )
    for row in range(first, last + 1):
        daily.ws.cell(row, 1).number_format = "yyyy-mm-dd"
    trend = LineChart()
    trend.title = "The bill, day by day"
    trend.y_axis.title = currency
    billed = Reference(daily.ws, min_col=6, min_row=first - 1, max_row=last)
    trend.add_data(billed, titles_from_data=True)
    trend.set_categories(Reference(daily.ws, min_col=1, min_row=first, max_row=last))
    daily.ws.add_chart(trend, "H2")
    return _saved(book)
