"""`costplane govern`: run the policies, show the findings with their money, keep them.

Against the warehouse (the default) the findings are recorded in the state store
(`costplane findings` lists them, with their status); with `--manifests DIR` the
manifests in a GitOps repository are judged instead, no warehouse and no state store
are needed, and `--fail-on high` makes it a pull-request check (exit 3). Suppressed
findings are neither listed, counted, priced nor failed on; `--show-suppressed` lists
them, marked with the day their suppression ends.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from costplane.governance import (
    Finding,
    PriceSource,
    Review,
    RunRecord,
    Severity,
    Status,
    at_or_above,
    visible,
)
from costplane.money import cents
from costplane.service import GovernRequest
from costplane.service import govern as govern_operation
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

FAILED_CHECK_EXIT_CODE = 3

COLUMNS = [
    Column("severity"),
    Column("policy"),
    Column("kind"),
    Column("namespace"),
    Column("name"),
    Column("tenant"),
    Column("monthly_waste", "monthly waste", numeric=True),
    Column("marked_status", "status"),
    Column("id", "fingerprint"),
]
CSV_COLUMNS = [
    Column("policy"),
    Column("severity"),
    Column("kind"),
    Column("namespace"),
    Column("name"),
    Column("tenant"),
    Column("environment"),
    Column("monthly_waste"),
    Column("currency"),
    Column("status"),
    Column("suppressed_until"),
    Column("fingerprint"),
    Column("message"),
    Column("fix"),
]


def govern(
    ctx: typer.Context,
    policies: list[Path] = typer.Option(
        [],
        "--policies",
        exists=True,
        help="A directory (or file) of policies, run with the built-in pack; a policy with a "
        "pack policy's id replaces it. Repeatable.",
    ),
    no_pack: bool = typer.Option(
        False, "--no-pack", help="Run only the --policies given, not the built-in pack."
    ),
    manifests: Path | None = typer.Option(
        None,
        "--manifests",
        exists=True,
        file_okay=False,
        help="Judge the Kubernetes manifests in this directory instead of the warehouse "
        "(a GitOps pull-request check: nothing is read from the warehouse or recorded).",
    ),
    fail_on: Severity | None = typer.Option(
        None,
        "--fail-on",
        help="Exit 3 when a finding at or above this severity is open or acknowledged.",
    ),
    prices: PriceSource = typer.Option(
        PriceSource.SHEET,
        "--prices",
        help="CPU and memory prices for the money: the catalog's price sheet, or the "
        "allocation's (the bill per core-hour in each cluster, last 30 days).",
    ),
    show_suppressed: bool = typer.Option(
        False,
        "--show-suppressed",
        help="List suppressed findings too, marked (they are still not counted, priced or "
        "failed on).",
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Name every policy skipped, and why (default: a count)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Run the built-in policy pack (and yours) over the inventory; list what they find,
    most money first, with what to do about it. Suppressed findings are left out."""
    request = GovernRequest(
        policies=tuple(policies), include_pack=not no_pack, manifests=manifests, prices=prices
    )
    governed = govern_operation(project_of(ctx), request)
    for note in governed.notes:
        err_console.print(note, markup=False)
    findings = list(governed.findings)
    show(visible(findings, suppressed=show_suppressed), output)
    summarise(governed.review, findings, governed.record, verbose=verbose)
    if fail_on is not None:
        failing = at_or_above(findings, fail_on)
        if failing:
            err_console.print(
                f"{len(failing)} finding{'s' if len(failing) != 1 else ''} at or above "
                f"{fail_on.value}: failing the check (exit {FAILED_CHECK_EXIT_CODE})",
                markup=False,
            )
            raise typer.Exit(FAILED_CHECK_EXIT_CODE)


def show(findings: list[Finding], output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        emit_json([finding.as_json() for finding in findings])
        return
    rows = [row_of(finding) for finding in findings]
    render(rows, CSV_COLUMNS if output is OutputFormat.CSV else COLUMNS, output, title="findings")


def row_of(finding: Finding) -> dict[str, Any]:
    document = finding.as_json()
    resource = document.pop("resource")
    marked = document["status"]
    if finding.suppressed_until is not None:
        marked = f"suppressed until {finding.suppressed_until}"
    return {**document, **resource, "id": finding.fingerprint[:12], "marked_status": marked}


def summarise(
    review: Review, findings: list[Finding], record: RunRecord | None, *, verbose: bool = False
) -> None:
    """Notes and totals for the person at the terminal (stderr: stdout stays data). Skipped
    policies are counted on one line (named with `verbose`); suppressed findings are counted
    apart, outside the totals and the money."""
    for note in review.notes:
        err_console.print(f"note: {note}", markup=False, soft_wrap=True)
    skipped = review.skipped
    if verbose:
        for policy, reason in skipped:
            err_console.print(f"note: skipped {policy}: {reason}", markup=False, soft_wrap=True)
    elif skipped:
        count = f"{len(skipped)} polic{'ies' if len(skipped) != 1 else 'y'}"
        err_console.print(
            f"note: skipped {count} for facts no source here provides (--verbose names them)",
            markup=False,
            soft_wrap=True,
        )
    suppressed = [f for f in findings if f.status is Status.SUPPRESSED]
    findings = visible(findings)
    totals: Counter[str] = Counter()
    waste: dict[str, Decimal] = {}
    for finding in findings:
        totals[finding.severity.value] += 1
        waste[finding.currency] = waste.get(finding.currency, Decimal(0)) + (
            finding.rounded_waste or Decimal(0)
        )
    counts = ", ".join(
        f"{totals[s.value]} {s.value}" for s in reversed(Severity) if totals[s.value]
    )
    money = ", ".join(f"{cents(amount)} {currency}" for currency, amount in sorted(waste.items()))
    noun = "finding" if len(findings) == 1 else "findings"
    line = f"{len(findings)} {noun} ({counts or 'none'}) at {review.at:%Y-%m-%d %H:%M} UTC"
    if money:
        line += f"; monthly waste {money}"
    if suppressed:
        line += f"; {len(suppressed)} suppressed, not counted (--show-suppressed lists them)"
    if record is not None:
        line += f"; {record.new} new, {record.reopened} reopened, {record.resolved} resolved"
    err_console.print(line, markup=False, soft_wrap=True)
