"""What is wrong with a policy file, each problem at its line: `FILE:LINE: message`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from costplane.errors import InputError


@dataclass(frozen=True, order=True)
class PolicyProblem:
    """One problem in one policy file; the column is kept for editors, not printed."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PolicyInvalidError(InputError):
    """Policy files have problems; every one is listed, in file order, and nothing ran."""

    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def problem_detail(loc: tuple[str | int, ...], message: str, value: object) -> InitErrorDetails:
    """A pydantic error at `loc` whose message is ours, word for word."""
    error = PydanticCustomError("policy", "{message}", {"message": message})
    return InitErrorDetails(type=error, loc=loc, input=value)


def invalid(field: str | tuple[str | int, ...], message: str, value: object = None) -> NoReturn:
    """Fail validation at `field` of the model being validated (so the line points there)."""
    loc = (field,) if isinstance(field, str) else field
    raise ValidationError.from_exception_data("policy", [problem_detail(loc, message, value)])
