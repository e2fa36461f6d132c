"""What is wrong with a bill, said the way an editor and a person can follow it.

`bill.csv:17: BilledCost: not a decimal: '12,5'`: the file as given, the line
of a CSV file (the 1-based row of a Parquet file), the column as the file
names it, what is wrong, and the value. A problem of the whole file has no line.
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.errors import InputError

SHOWN = 20
"""Problems listed before the summary; the rest are counted."""


@dataclass(frozen=True)
class BillProblem:
    file: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.message}"


class BillRejectedError(InputError):
    """Bills with problems: nothing was written. `problems` holds the first 20, in file
    order; `summary` says how many there are in all and where."""

    def __init__(self, problems: list[BillProblem], summary: str) -> None:
        self.problems = problems[:SHOWN]
        self.summary = summary
        super().__init__("\n".join([*(str(p) for p in self.problems), summary]))
