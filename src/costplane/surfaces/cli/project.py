"""The project a command works on, as the CLI opens it: the terminal's own parts passed in."""

from __future__ import annotations

import click
import typer

from costplane.service import Project
from costplane.settings import Settings
from costplane.surfaces.cli.output import err_console


def terminal_project(settings: Settings, *, debug: bool = False) -> Project:
    """The project, naming the running command; "waiting for ..." and spinners on stderr."""
    return Project(
        settings=settings,
        debug=debug,
        operation=running_command,
        on_wait=_say,
        busy=err_console.status,
    )


def project_of(ctx: typer.Context) -> Project:
    project = ctx.find_root().obj
    assert isinstance(project, Project), "the root callback sets the project"
    return project


def running_command() -> str:
    """The command this process runs (`ingest fleet`), as other processes are told it."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return "costplane"
    words = ctx.command_path.split()[1:]
    return " ".join(word for word in words if not word.startswith("-")) or "costplane"


def _say(message: str) -> None:
    err_console.print(message, markup=False, soft_wrap=True)
