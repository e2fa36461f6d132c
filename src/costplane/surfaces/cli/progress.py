"""A progress bar on long work when stdout is a terminal, and silence when piped.

Its texts may name files: they are shown literally (no markup, no terminal control)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from costplane.surfaces.cli.console import console, literal

Advance = Callable[[str, int, int], None]
"""Called as advance(step description, steps done, steps in all)."""


@contextmanager
def progress_bar(description: str) -> Iterator[Advance]:
    if not console.is_terminal:
        yield lambda _step, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}", markup=False),
        TextColumn("{task.fields[step]}", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(literal(description), total=None, step="")

        def advance(step: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, step=literal(step))

        yield advance
