"""`costplane audit verify` and `costplane audit list`: the log of applied actions.

`verify` recomputes the hash chain and names every entry that was edited,
removed, inserted or reordered, and, against the heads noted outside the
database on every append (the heads file) and any `--anchor`, the first entry
of a log cut off, emptied or re-hashed; it exits 3 when it finds tampering
(the code of a check that ran and failed, as `govern --fail-on` uses), 1 when
it cannot run, 2 on a bad option or an unreadable heads file, 0 when intact.
"""

from __future__ import annotations

from pathlib import Path

import typer

from costplane.actions import Anchor, Verification
from costplane.errors import InputError
from costplane.service import audit_entries, verify_audit
from costplane.surfaces.cli.output import (
    Column,
    OutputFormat,
    console,
    emit_json,
    err_console,
    render,
)
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="The append-only, hash-chained log of applied actions.")

TAMPERED_EXIT_CODE = 3

LIST_COLUMNS = [
    Column("id", numeric=True),
    Column("recorded_at", "when (UTC)"),
    Column("actor", "who"),
    Column("phase"),
    Column("action"),
    Column("kind"),
    Column("namespace"),
    Column("name"),
    Column("result"),
    Column("detail"),
]


@app.command()
def verify(
    ctx: typer.Context,
    anchor: list[str] = typer.Option(
        [],
        "--anchor",
        metavar="ID:HASH",
        help="An entry's id and hash noted earlier (verify prints the head); it must still "
        "be there, unchanged. Checked like the heads file's lines. Repeatable.",
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Recompute the hash chain and check it against the heads noted outside the database
    (.costplane/audit-heads or $COSTPLANE_AUDIT_HEADS); exit 3 naming the first entry
    edited, removed, inserted, cut off or re-hashed."""
    try:
        anchors = [Anchor.parse(text) for text in anchor]
    except ValueError as exc:
        raise InputError(f"--anchor: {exc}") from None
    check = verify_audit(project_of(ctx), anchors)
    result = check.verification
    if output is OutputFormat.JSON:
        emit_json(
            {
                "entries": result.entries,
                "intact": result.intact,
                "head": {"id": result.head_id, "hash": result.head_hash},
                "tampering": [
                    {"entry_id": t.entry_id, "problem": t.problem, "message": t.message}
                    for t in result.tampering
                ],
                "unfinished": list(result.unfinished),
                "heads_file": {
                    "path": str(check.heads_file),
                    "noted": result.noted,
                    "unconfirmed": list(result.unconfirmed),
                },
            }
        )
    else:
        for tampering in result.tampering:
            console.print(f"{tampering.problem}: {tampering.message}", markup=False, soft_wrap=True)
        state = "intact" if result.intact else f"TAMPERED ({len(result.tampering)} problems)"
        head = f"; head {result.head_id}:{result.head_hash}" if result.head_id else ""
        console.print(
            f"audit log: {result.entries} entries, {state}{head}", markup=False, soft_wrap=True
        )
    _note_heads(check.heads_file, result)
    for intent in result.unfinished:
        err_console.print(
            f"note: entry {intent} is an intent with no result (the run stopped while acting)",
            markup=False,
        )
    if not result.intact:
        raise typer.Exit(TAMPERED_EXIT_CODE)


def _note_heads(heads_file: Path, result: Verification) -> None:
    """Say on stderr what the heads file could not vouch for (not tampering by itself)."""
    if result.noted is None and result.entries:
        err_console.print(
            f"note: no audit heads file at {heads_file}: a log cut off, emptied or re-hashed "
            "cannot be told from an intact one without it (or --anchor)",
            markup=False,
            soft_wrap=True,
        )
    if result.unconfirmed:
        first, last = result.unconfirmed[0], result.unconfirmed[-1]
        which = f"entry {first} is" if first == last else f"entries {first}–{last} are"
        err_console.print(
            f"note: {which} not in {heads_file} yet: written by a run that stopped before "
            "noting them, by Costplane elsewhere with another heads file, or added by hand",
            markup=False,
            soft_wrap=True,
        )


@app.command("list")
def list_entries(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="How many of the newest entries."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """The newest entries first: who did what, when, to which object, and how it ended
    (--output json adds the patch, before, after and the hashes)."""
    rows = audit_entries(project_of(ctx), limit)
    if output is OutputFormat.JSON:
        emit_json(rows)  # every field: patch, before, after and both hashes
    else:
        render(rows, LIST_COLUMNS, output, title="audit log")
