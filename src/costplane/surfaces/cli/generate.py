"""`costplane generate fleet`: a deterministic synthetic fleet for demos and tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from costplane.surfaces.cli.output import Column, OutputFormat, err_console, render
from costplane.surfaces.cli.progress import progress_bar
from costplane_fleet import FleetSpec, FleetSummary, generate_fleet

app = typer.Typer(help="Generate synthetic data shaped like the real sources.")


def default_start(today: dt.date | None = None) -> dt.date:
    """The first day of last month: recent enough to look current in a demo."""
    today = today or dt.datetime.now(dt.UTC).date()
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


@app.command()
def fleet(
    tenants: int = typer.Option(40, "--tenants", min=1, help="Number of tenants."),
    days: int = typer.Option(30, "--days", min=1, help="Days of history."),
    seed: int = typer.Option(7, "--seed", min=0, help="Random seed; same arguments, same bytes."),
    start: dt.datetime | None = typer.Option(
        None, "--start", formats=["%Y-%m-%d"], help="First day, UTC (default: 1st of last month)."
    ),
    anomalies: bool = typer.Option(
        False, "--anomalies", help="Plant cost anomalies too (anomalies.json; docs/fleet.md)."
    ),
    out: Path = typer.Option(Path("fleet"), "--out", file_okay=False, help="Output directory."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Write a fleet: Kubernetes lists, OpenMetrics and Parquet usage, a FOCUS bill,
    database, Redis, backup and business data, the catalog, and planted.json."""
    spec = FleetSpec(
        tenants=tenants,
        days=days,
        seed=seed,
        start=start.date() if start else default_start(),
        anomalies=anomalies,
    )
    summary = run_generator(spec, out)
    render(_file_rows(summary), FILE_COLUMNS, output, title=f"fleet written to {out}")


def run_generator(spec: FleetSpec, out: Path) -> FleetSummary:
    with progress_bar("generating fleet") as advance:
        summary = generate_fleet(spec, out, progress=advance)
    err_console.print(
        f"{spec.tenants} tenants × {spec.days} days from {spec.start} "
        f"(seed {spec.seed}): {summary.usage_rows:,} usage rows",
        markup=False,
    )
    return summary


FILE_COLUMNS = [Column("file"), Column("bytes", numeric=True), Column("sha256")]


def _file_rows(summary: FleetSummary) -> list[dict[str, object]]:
    """Every file written; the OpenMetrics text is too big to hash and has no digest."""
    digests: dict[str, str | None] = {**summary.files, **dict.fromkeys(summary.unhashed)}
    return [
        {"file": name, "bytes": (summary.out / name).stat().st_size, "sha256": digest}
        for name, digest in sorted(digests.items())
    ]
