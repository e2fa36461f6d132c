"""A tenant's statement as a PDF: letterhead, who and when, the charge, the cost by
environment and cost domain, use beyond the entitlements, the rules applied."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from costplane.service import Statement
from costplane.surfaces.documents.amounts import money
from costplane.surfaces.documents.pdf import WIDTH, build, letterhead, styles, table, text
from costplane.surfaces.documents.statement_text import (
    KINDS,
    OVER_NUMERIC,
    contract_text,
    coverage_text,
    fee_text,
    over_use_table,
    place,
    rules_text,
)


def statement_pdf(statement: Statement) -> bytes:
    style = styles()
    s, currency = statement, statement.currency
    parts: list[Flowable] = [
        letterhead(s.letterhead, style),
        Spacer(1, 6 * mm),
        Paragraph(text(f"Statement {s.period}: {s.tenant_name}"), style.title),
        Paragraph(
            text(
                f"Tenant {s.tenant} · service class {s.service_class} · {coverage_text(s)} · "
                f"issued {s.issued} · amounts in {currency}"
            ),
            style.body,
        ),
        Paragraph("Contract", style.heading),
        table(
            ["contract", "monthly fee", "currency"],
            [[contract_text(c), money(c.monthly_fee), c.currency] for c in s.contracts]
            or [["no contract covers the period", "", ""]],
            numeric=[1],
            widths=[WIDTH * 0.5, WIDTH * 0.2, WIDTH * 0.3],
        ),
        Spacer(1, 2 * mm),
        table(
            ["", f"amount ({currency})"],
            [
                [f"Fee for the period ({fee_text(s)})", money(s.fee)],
                ["Cost counted by the chargeback rules", money(s.charge.cost)],
                ["Charge", money(s.charge.charge)],
                ["Minimum charge adjustment", money(s.charge.minimum)],
                ["Total charged", money(s.charge.total)],
            ],
            numeric=[1],
            widths=[WIDTH * 0.7, WIDTH * 0.3],
            total=True,
        ),
        Paragraph("Cost by environment and cost domain", style.heading),
        table(
            ["environment", "cost domain", *KINDS, "total"],
            [
                [
                    *place(line),
                    *(money(getattr(line.costs, k)) for k in KINDS),
                    money(line.costs.total),
                ]
                for line in s.costs
            ]
            + [["total", "", *(money(getattr(s.cost, k)) for k in KINDS), money(s.cost.total)]],
            numeric=[2, 3, 4, 5, 6],
            widths=[WIDTH * 0.16, WIDTH * 0.19, *[WIDTH * 0.13] * 5],
            total=True,
        ),
        Paragraph(
            text(
                "Each amount is rounded to the cent; a total is the exact sum, rounded, so it "
                "can differ by a cent from the sum of the amounts shown."
            ),
            style.small,
        ),
        Paragraph("Use beyond the entitlements", style.heading),
    ]
    if s.over:
        parts.append(
            table(
                *over_use_table(s, currency),
                numeric=OVER_NUMERIC,
                widths=[WIDTH * w for w in (0.16, 0.24, 0.13, 0.13, 0.13, 0.21)],
                total=True,
            )
        )
    else:
        parts.append(
            Paragraph("Every entitlement was used within what the class grants.", style.body)
        )
    parts += [
        Spacer(1, 4 * mm),
        Paragraph(text(rules_text(s.rules)), style.small),
        *(Paragraph(text(f"Note: {note}"), style.small) for note in s.notes),
    ]
    return build(parts, f"Statement {s.period} {s.tenant}", s.letterhead.name)
