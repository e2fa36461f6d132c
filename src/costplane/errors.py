"""One exception tree for the whole project.

    CostplaneError
     ├── InputError            bad input from the user: exit 2, nothing written
     │    ├── InputProblemsError    a catalog, policy files or a bill have problems (each listed)
     │    ├── NotFoundError         what was named (a finding, a tenant) is not there
     │    └── IngestConflictError   a load would overlap an earlier one
     └── ExecutionError        the input was fine but the work failed: exit 1
          └── ServiceUnavailableError  a database, warehouse or server could not be reached

The CLI turns these into one line on stderr and an exit code; nothing else
should print tracebacks at users.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class NotFoundError(InputError):
    """What the input names (a finding, a tenant, a token) does not exist: exit 2; a 404
    from the REST API."""


class ExecutionError(CostplaneError, RuntimeError):
    """The input was valid, but the work could not be done."""

    exit_code = 1


class ServiceUnavailableError(ExecutionError):
    """A store or server could not be reached; the message names it, never its secrets."""


class IngestConflictError(InputError):
    """A load's period overlaps an earlier, different load of the same source and scope."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one input file, at one place: `FILE:LINE:COLUMN: message`.

    A problem of a whole file has no line; where a column helps no reader (policy files,
    bills) there is none. What is None is not printed: `FILE:LINE: message`, `FILE: message`.
    """

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = [self.file, *(str(n) for n in (self.line, self.column) if n is not None)]
        return f"{':'.join(where)}: {self.message}"


class InputProblemsError(InputError):
    """Input files have problems: each is listed, in the order given, then the `summary`
    (`3 problems in the catalog`). Nothing ran and nothing was written."""

    def __init__(self, problems: Sequence[Problem], summary: str) -> None:
        self.problems = list(problems)
        self.summary = summary
        super().__init__("\n".join([*(str(p) for p in self.problems), summary]))


def problems_in(problems: Sequence[Problem], where: str) -> str:
    """`1 problem in the catalog`, `3 problems in policy files`."""
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {where}"
