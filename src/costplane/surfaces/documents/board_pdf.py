"""The board report as a PDF: the bill and where it went beside the month before (a bar
chart), the daily trend (a line), margin by service class and the worst tenants, the waste
found and fixed, budgets and the forecast, DR compliance."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from costplane.service import BoardReport, PolicyWaste
from costplane.surfaces.documents.amounts import money, percent
from costplane.surfaces.documents.charts import bill_bars, daily_line
from costplane.surfaces.documents.pdf import WIDTH, build, letterhead, styles, table, text

PARTS = (
    ("allocated", "to tenants"),
    ("shared", "shared"),
    ("idle", "idle"),
    ("unallocated", "unallocated"),
)


def board_pdf(board: BoardReport) -> bytes:
    style = styles()
    b, currency = board, board.currency
    before = b.before
    months = [(b.period, [getattr(b.bill.total, p) for p, _ in PARTS])]
    if before is not None:
        months.append((before.period, [getattr(before.total, p) for p, _ in PARTS]))
    header = ["", f"{b.period} ({currency})"] + ([f"{before.period}"] if before else [])
    rows = [
        [label, money(getattr(b.bill.total, part))]
        + ([money(getattr(before.total, part))] if before else [])
        for part, label in (*PARTS, ("billed", "the bill"))
    ]
    parts: list[Flowable] = [
        letterhead(b.letterhead, style),
        Spacer(1, 6 * mm),
        Paragraph(text(f"Cost-governance board report {b.period}"), style.title),
        Paragraph(
            text(f"{b.bill.period_label} · issued {b.issued} · amounts in {currency}"), style.body
        ),
        Paragraph("Where the bill went", style.heading),
        table(header, rows, numeric=[1, 2], total=True),
        Paragraph(
            text(
                "the month before: none of its days is allocated"
                if before is None
                else f"{before.period} covers {before.period_label}"
            ),
            style.small,
        ),
        bill_bars([label for _, label in PARTS], months, WIDTH),
    ]
    if b.daily:
        parts.append(
            daily_line(
                [d.date.day for d in b.daily if d.date is not None],
                [d.billed for d in b.daily if d.date is not None],
                WIDTH,
                f"the bill per day of {b.period} ({currency})",
            )
        )
    parts += [
        Paragraph("Margin by service class", style.heading),
        table(
            ["service class", "tenants", "fee", "cost", "margin", "margin %"],
            [
                [
                    m.service_class,
                    str(m.tenants),
                    money(m.fee),
                    money(m.cost),
                    money(m.margin),
                    percent(m.margin_percent),
                ]
                for m in b.margins
            ]
            + [
                [
                    "total",
                    str(sum(m.tenants for m in b.margins)),
                    money(b.fee),
                    money(b.cost),
                    money(b.margin),
                    "",
                ]
            ],
            numeric=[1, 2, 3, 4, 5],
            total=True,
        ),
        Paragraph("The five tenants with the worst margin", style.heading),
        table(
            ["tenant", "service class", "fee", "cost", "margin", "margin %"],
            [
                [
                    t.tenant,
                    t.service_class or "",
                    money(t.fee),
                    money(t.cost),
                    money(t.margin),
                    percent(t.margin_percent),
                ]
                for t in b.worst
            ],
            numeric=[2, 3, 4, 5],
        ),
        Paragraph("Waste found (findings standing now, by policy)", style.heading),
        _waste(b.waste, b.waste_total, "no finding stands"),
        Paragraph(f"Fixed in {b.period} (findings resolved, by policy)", style.heading),
        _waste(b.fixed, b.fixed_total, "no finding was resolved in the month"),
        Paragraph("Budgets", style.heading),
    ]
    if b.budgets:
        parts.append(
            table(
                ["budget", "monthly amount", "actual", "%", "month-end forecast", "%"],
                [
                    [
                        x.budget,
                        money(x.monthly_amount),
                        money(x.actual),
                        percent(x.actual_percent),
                        money(x.forecast),
                        percent(x.forecast_percent),
                    ]
                    for x in b.budgets
                ],
                numeric=[1, 2, 3, 4, 5],
            )
        )
    else:
        parts.append(Paragraph("The catalog sets no budget.", style.body))
    parts.append(Paragraph("Forecast of the total allocated cost", style.heading))
    if b.forecast:
        parts += [
            table(
                ["month", "actual to date", "p10", "p50", "p90"],
                [
                    [m.month, money(m.actual_to_date), money(m.p10), money(m.p50), money(m.p90)]
                    for m in b.forecast
                ],
                numeric=[1, 2, 3, 4],
            ),
            Paragraph(text(f"as of {b.forecast_as_of}, the newest allocated day"), style.small),
        ]
    else:
        parts.append(Paragraph("Nothing allocated to forecast from.", style.body))
    parts.append(Paragraph("DR compliance", style.heading))
    if b.dr is None:
        parts.append(Paragraph("No contracted tenant has a DR requirement to check.", style.body))
    else:
        parts.append(
            Paragraph(
                text(f"{b.dr.passing} of {b.dr.tenants} tenants pass every requirement."),
                style.body,
            )
        )
        if b.dr.failing:
            parts.append(
                table(
                    ["tenant", "service class", "failing requirements"],
                    [[f.tenant, f.service_class, ", ".join(f.requirements)] for f in b.dr.failing],
                    numeric=[],
                )
            )
    parts += [Paragraph(text(f"Note: {note}"), style.small) for note in b.notes]
    return build(parts, f"Board report {b.period}", b.letterhead.name)


def _waste(rows: tuple[PolicyWaste, ...], total: Decimal, none: str) -> Flowable:
    if not rows:
        return Paragraph(none, styles().body)
    return table(
        ["policy", "findings", "monthly waste"],
        [[p.policy, str(p.findings), money(p.monthly_waste)] for p in rows]
        + [["total", str(sum(p.findings for p in rows)), money(total)]],
        numeric=[1, 2],
        total=True,
    )
