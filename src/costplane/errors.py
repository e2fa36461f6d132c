"""One exception tree for the whole project.

    CostplaneError
     ├── InputError            bad input from the user: exit 2, nothing written
     │    ├── CatalogInvalidError   costplane.yaml breaks the model (carries every problem)
     │    └── IngestConflictError   a load would overlap an earlier one
     └── ExecutionError        the input was fine but the work failed: exit 1
          └── ServiceUnavailableError  a database, warehouse or server could not be reached

The CLI turns these into one line on stderr and an exit code; nothing else
should print tracebacks at users.
"""

from __future__ import annotations

from dataclasses import dataclass


class CostplaneError(Exception):
    """Base of every error Costplane raises on purpose."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The message as the lines it is made of: one, unless an error lists several
        things (each shown on a line of its own; a newline inside data never splits one)."""
        return [str(self)]


class InputError(CostplaneError, ValueError):
    """The user's input (a file, a flag, a catalog) is wrong; nothing was written."""

    exit_code = 2


class ExecutionError(CostplaneError, RuntimeError):
    """The input was valid, but the work could not be done."""

    exit_code = 1


class ServiceUnavailableError(ExecutionError):
    """A store or server could not be reached; the message names it, never its secrets."""


class IngestConflictError(InputError):
    """A load's period overlaps an earlier, different load of the same source and scope."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at one place."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class CatalogInvalidError(InputError):
    """The catalog has problems; all of them are listed, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
