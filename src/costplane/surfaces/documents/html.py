"""A tenant's statement as one self-contained HTML page: styles inline, the logo a data:
URI, no script and no external asset, so it can be mailed or archived as it is."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from costplane.service import Statement
from costplane.surfaces.documents.amounts import money
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

STYLE = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; color: #1f2933; margin: 2em auto;
       max-width: 58em; font-size: 14px; }
header { display: flex; justify-content: space-between; border-bottom: 1px solid #c4cdd5;
         padding-bottom: .6em; }
header img { max-height: 4.5em; max-width: 15em; }
address { font-style: normal; text-align: right; }
h1 { font-size: 1.5em; margin: 1em 0 .2em; }
h2 { font-size: 1.1em; color: #2f6f9f; margin-top: 1.4em; }
table { border-collapse: collapse; margin: .3em 0; }
th, td { padding: .15em .7em; text-align: left; }
th { background: #eef2f5; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 1px solid #1f2933; }
p.small { font-size: .85em; }
"""


def _row(cells: Sequence[str], numeric: Sequence[int], cell: str = "td") -> str:
    return (
        "<tr>"
        + "".join(
            f"<{cell}{' class=n' if i in numeric else ''}>{escape(c)}</{cell}>"
            for i, c in enumerate(cells)
        )
        + "</tr>"
    )


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int], total: bool
) -> str:
    body = [_row(r, numeric) for r in rows]
    if total and body:
        body[-1] = body[-1].replace("<tr>", '<tr class="total">', 1)
    return (
        f"<table><thead>{_row(header, numeric, 'th')}</thead><tbody>{''.join(body)}</tbody></table>"
    )


def statement_html(statement: Statement) -> bytes:
    s, currency, head = statement, statement.currency, statement.letterhead
    logo = ""
    if head.logo is not None and head.logo_type is not None:
        data = base64.b64encode(head.logo).decode("ascii")
        logo = f'<img alt="{escape(head.name)}" src="data:{head.logo_type};base64,{data}">'
    address = "<br>".join([f"<strong>{escape(head.name)}</strong>", *map(escape, head.address)])
    contracts = [[contract_text(c), money(c.monthly_fee), c.currency] for c in s.contracts]
    summary = [
        [f"Fee for the period ({fee_text(s)})", money(s.fee)],
        ["Cost counted by the chargeback rules", money(s.charge.cost)],
        ["Charge", money(s.charge.charge)],
        ["Minimum charge adjustment", money(s.charge.minimum)],
        ["Total charged", money(s.charge.total)],
    ]
    costs = [
        [*place(line), *(money(getattr(line.costs, k)) for k in KINDS), money(line.costs.total)]
        for line in s.costs
    ] + [["total", "", *(money(getattr(s.cost, k)) for k in KINDS), money(s.cost.total)]]
    over = (
        _table(*over_use_table(s, currency), OVER_NUMERIC, total=True)
        if s.over
        else "<p>Every entitlement was used within what the class grants.</p>"
    )
    notes = "".join(f'<p class="small">Note: {escape(n)}</p>' for n in s.notes)
    title = f"Statement {s.period}: {s.tenant_name}"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<header><div>{logo}</div><address>{address}</address></header>
<h1>{escape(title)}</h1>
<p>Tenant {escape(s.tenant)} · service class {escape(s.service_class)} ·
{escape(coverage_text(s))} · issued {s.issued} · amounts in {escape(currency)}</p>
<h2>Contract</h2>
{_table(["contract", "monthly fee", "currency"], contracts, [1], total=False)}
{_table(["", f"amount ({currency})"], summary, [1], total=True)}
<h2>Cost by environment and cost domain</h2>
{_table(["environment", "cost domain", *KINDS, "total"], costs, [2, 3, 4, 5, 6], total=True)}
<p class="small">Each amount is rounded to the cent; a total is the exact sum, rounded, so it
can differ by a cent from the sum of the amounts shown.</p>
<h2>Use beyond the entitlements</h2>
{over}
<p class="small">{escape(rules_text(s.rules))}</p>
{notes}
</body>
</html>
"""
    return page.encode("utf-8")
