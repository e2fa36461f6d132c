"""What is wrong with policy files, each problem at its line: `FILE:LINE: message`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from costplane.errors import InputProblemsError, Problem, problems_in


def invalid_policies(problems: Sequence[Problem]) -> InputProblemsError:
    """Every problem once, in file order, as `FILE:LINE: message` (the column orders problems
    on one line but is not printed), then `error: 3 problems in policy files`."""
    shown = [replace(p, column=None) for p in sorted(set(problems))]
    return InputProblemsError(shown, problems_in(shown, "policy files"))


def problem_detail(loc: tuple[str | int, ...], message: str, value: object) -> InitErrorDetails:
    """A pydantic error at `loc` whose message is ours, word for word."""
    error = PydanticCustomError("policy", "{message}", {"message": message})
    return InitErrorDetails(type=error, loc=loc, input=value)


def invalid(field: str | tuple[str | int, ...], message: str, value: object = None) -> NoReturn:
    """Fail validation at `field` of the model being validated (so the line points there)."""
    loc = (field,) if isinstance(field, str) else field
    raise ValidationError.from_exception_data("policy", [problem_detail(loc, message, value)])
