"""The `costplane` command: global options, error handling, and the command groups.

Commands stay thin: parse, call one stage function, render. Errors become one
line on stderr and an exit code (2 for bad input, 1 for failures), with the
traceback only under `--debug`. That holds for Click's own errors too (a missing
file, a bad option value), which Typer would otherwise draw in a box; and help is
Click's plain help, in which a flag shows no value (Rich's shows `<bool>`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from costplane import __version__
from costplane.errors import CostplaneError
from costplane.service import Project
from costplane.settings import Settings
from costplane.surfaces.cli import (
    act,
    allocate,
    anomalies,
    audit,
    budgets,
    catalog,
    collect,
    db,
    demo,
    drift,
    export,
    findings,
    forecast,
    generate,
    govern,
    ingest,
    notify,
    plan,
    policy,
    recommend,
    record,
    render,
    report,
    serve,
    sources,
    token,
)
from costplane.surfaces.cli.console import err_console, literal, report_error
from costplane.surfaces.cli.project import terminal_project


class CostplaneGroup(TyperGroup):
    """Turns Costplane's errors, and Click's, into a clean message and exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        try:
            outcome = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except typer.TyperException as error:  # Click's errors (Typer ships its own Click)
            _usage_error(error)
        except typer.Abort:
            err_console.print("error: aborted")
            sys.exit(1)
        # Not standalone, Click returns the exit code of a `typer.Exit` (or of --help),
        # and the command's return value otherwise: commands return None.
        sys.exit(outcome if isinstance(outcome, int) else 0)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort, BrokenPipeError):
            raise
        except CostplaneError as error:
            if _debugging(ctx):
                raise
            report_error(error)
            raise typer.Exit(error.exit_code) from error
        except Exception as error:
            if _debugging(ctx):
                raise
            err_console.print(
                f"error: unexpected {type(error).__name__}: {literal(error)} "
                "(run with --debug for details)",
            )
            raise typer.Exit(1) from error


def _usage_error(error: typer.TyperException) -> NoReturn:
    """Click's error as one line: what is wrong, and where the help is."""
    where = getattr(getattr(error, "ctx", None), "command_path", None)
    if type(error).__name__ == "NoArgsIsHelpError":  # `costplane` alone: the help, exit 2
        sys.stderr.write(error.format_message() + "\n")
        sys.exit(error.exit_code)
    message = " ".join(error.format_message().split())
    if where:
        message += f" (see `{where} -h`)"
    err_console.print(f"error: {message}", markup=False, soft_wrap=True)
    sys.exit(error.exit_code)


def _debugging(ctx: typer.Context) -> bool:
    project = ctx.find_root().obj
    return isinstance(project, Project) and project.debug


app = typer.Typer(
    cls=CostplaneGroup,
    name="costplane",
    help="What every Odoo tenant really costs, and what it is entitled to.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"costplane {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Path | None = typer.Option(
        None,
        "--home",
        envvar="COSTPLANE_HOME",
        help="Project directory holding costplane.yaml and .costplane/ (default: here).",
        file_okay=False,
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    settings = Settings() if home is None else Settings(home=home)
    ctx.obj = project = terminal_project(settings, debug=debug)
    ctx.call_on_close(project.close)


app.add_typer(act.app, name="act")
app.add_typer(audit.app, name="audit")
app.add_typer(budgets.app, name="budgets")
app.add_typer(catalog.app, name="catalog")
app.add_typer(collect.app, name="collect")
app.add_typer(db.app, name="db")
app.add_typer(export.app, name="export")
app.add_typer(findings.app, name="findings")
app.add_typer(forecast.app, name="forecast")
app.add_typer(generate.app, name="generate")
app.add_typer(ingest.app, name="ingest")
app.add_typer(notify.app, name="notify")
app.add_typer(plan.app, name="plan")
app.add_typer(policy.app, name="policy")
app.add_typer(recommend.app, name="recommend")
app.add_typer(record.app, name="record")
app.add_typer(render.app, name="render")
app.add_typer(report.app, name="report")
app.add_typer(sources.app, name="sources")
app.add_typer(token.app, name="token")
app.command("allocate")(allocate.allocate)
app.command("anomalies")(anomalies.anomalies)
app.command("demo")(demo.demo)
app.command("drift")(drift.drift)
app.command("govern")(govern.govern)
app.command("serve")(serve.serve)
