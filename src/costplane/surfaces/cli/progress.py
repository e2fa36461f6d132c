"""A progress bar on long work when stdout is a terminal, and silence when piped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from costplane.surfaces.cli.output import console

Advance = Callable[[str, int, int], None]
"""Called as advance(step description, steps done, steps in all)."""


@contextmanager
def progress_bar(description: str) -> Iterator[Advance]:
    if not console.is_terminal:
        yield lambda _step, _done, _total: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None, step="")

        def advance(step: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, step=step)

        yield advance
