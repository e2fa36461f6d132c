"""`costplane policy schema|validate`: the policy language for editors and CI."""

from __future__ import annotations

from pathlib import Path

import typer

from costplane.actions import action_options
from costplane.errors import InputProblemsError
from costplane.governance import load_policy_files, policy_schema
from costplane.surfaces.cli.console import report_error
from costplane.surfaces.cli.output import console, emit_json

app = typer.Typer(help="Check governance policy files and print their JSON Schema.")


@app.command()
def validate(
    files: list[Path] = typer.Argument(
        ..., help="Policy files or directories (every .yaml/.yml file under them)."
    ),
) -> None:
    """Check policy files; every problem is printed as FILE:LINE: message (exit 2)."""
    try:
        loaded = load_policy_files(files, actions=action_options())
    except InputProblemsError as error:  # the command's answer, also when run on its own
        report_error(error)
        raise typer.Exit(error.exit_code) from None
    by_file: dict[str, list[str]] = {}
    for item in loaded:
        by_file.setdefault(item.file, []).append(item.policy.id)
    for file, ids in by_file.items():
        noun = "policy" if len(ids) == 1 else "policies"
        console.print(f"{file}: valid — {len(ids)} {noun}: {', '.join(ids)}", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a policy file (for editors and CI)."""
    emit_json(policy_schema(actions=action_options()))
