"""One SELECT that turns a file's raw rows into `billing_lines` rows and their problems.

Four levels, each evaluated once per row by DuckDB, a vector at a time:
1. every cell as text (null tokens made NULL), typed Parquet columns as they are;
2. every value as its warehouse type (`cells.py`);
3. every problem: one message per bad cell, and the period checks (`checks.py`);
4. the `billing_lines` columns, `extra_columns` as a JSON object of the
   columns FOCUS does not declare (or the warehouse has no column for), and
   `__problems`: NULL for a good row, else the list of its messages.
`__row` carries the row's place in the file (its line for CSV) through all four.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from costplane.focus_columns import ALL_COLUMNS
from costplane.sources.focus.cells import (
    ENUMERATIONS,
    Cell,
    currency_cell,
    datetime_cell,
    decimal_cell,
    enumeration_cell,
    extra_value,
    given_cell,
    ident,
    json_object_cell,
    literal,
    required_cell,
    string_cell,
)
from costplane.sources.focus.checks import period_checks
from costplane.sources.focus.columns import HeaderLayout, snake_case
from costplane.warehouse import BILLING_LINES

ROW = "__costplane_row"
PROBLEMS = "__costplane_problems"
PROVENANCE = ("extra_columns", "focus_version", "source_file", "source_row")
TARGETS: dict[str, str] = {
    name: next(c for c in ALL_COLUMNS if snake_case(c) == name)
    for name in BILLING_LINES.schema.names
    if name not in PROVENANCE
}
"""`billing_lines` column -> the FOCUS column it holds."""
STORED_ELSEWHERE = tuple(c for c in ALL_COLUMNS if snake_case(c) not in TARGETS)
"""FOCUS columns the warehouse has no column for: kept in `extra_columns`."""
REQUIRED = {"BilledCost", "EffectiveCost"}
PERIODS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")


@dataclass(frozen=True)
class FileColumns:
    """What the SELECT needs to know of one file."""

    relation: str
    """The DuckDB relation holding the raw rows, with `__row`."""
    types: Mapping[str, str]
    """Raw column name -> DuckDB type (VARCHAR for every CSV column)."""
    layout: HeaderLayout
    source_file: str
    given: Mapping[str, str]
    """FOCUS column -> value, for needed columns the file lacks (from options)."""


def _cell(focus: str, column: str, duck_type: str, formats: Sequence[str]) -> Cell:
    target = snake_case(focus)
    dtype = BILLING_LINES.schema[target]
    if dtype.is_decimal():
        return decimal_cell(column, duck_type, required=focus in REQUIRED)
    if dtype.is_timestamp():
        return datetime_cell(column, duck_type, formats, required=focus in PERIODS)
    if focus == "Tags":
        return json_object_cell(column, duck_type)
    if focus == "BillingCurrency":
        return currency_cell(column, duck_type)
    if focus == "BillingAccountId":
        return required_cell(column, duck_type)
    if focus in ENUMERATIONS:
        return enumeration_cell(column, duck_type, ENUMERATIONS[focus])
    return string_cell(column, duck_type)


def _filled(template: str, **aliases: str) -> str:
    for key, alias in aliases.items():
        template = template.replace("{" + key + "}", alias)
    return template


def checked_select(file: FileColumns, formats: Sequence[str]) -> str:
    """The SELECT of a file's rows as `billing_lines` columns, `__problems` and `__row`."""
    layout = file.layout
    cells: dict[str, Cell] = {}
    for target, focus in TARGETS.items():
        if focus in layout.focus:
            column = layout.focus[focus]
            cells[target] = _cell(focus, column, file.types[column], formats)
        elif focus in file.given:
            cells[target] = given_cell(focus, file.given[focus])
    extras = [*layout.extra, *(layout.focus[c] for c in STORED_ELSEWHERE if c in layout.focus)]
    extras = [name for name in file.types if name in set(extras)]  # in the file's order

    text = {target: f"t_{target}" for target in cells}
    value = {target: f"v_{target}" for target in cells}
    level1 = [
        f"{_filled(cell.text, source=ident(layout.focus.get(TARGETS[t], '')))} AS {text[t]}"
        for t, cell in cells.items()
    ]
    level1 += [
        f"{_filled(extra_value(file.types[name]), source=ident(name))} AS e{i}"
        for i, name in enumerate(extras)
    ]
    level2 = [f"{_filled(cell.value, text=text[t])} AS {value[t]}" for t, cell in cells.items()]
    carried = [*text.values(), *(f"e{i}" for i in range(len(extras)))]

    messages = [
        _filled(cell.problem, text=text[t], value=value[t])
        for t, cell in cells.items()
        if cell.problem is not None
    ]
    focus_values = {TARGETS[t]: value[t] for t in cells}
    names = {TARGETS[t]: layout.focus.get(TARGETS[t], TARGETS[t]) for t in cells}
    if all(p in focus_values for p in PERIODS):
        messages += period_checks(focus_values, names)
    level3 = [f"{m} AS p{k}" for k, m in enumerate(messages)]

    outputs = []
    for target, dtype in BILLING_LINES.schema.items():
        if target in value:
            outputs.append(f"{value[target]} AS {ident(target)}")
        elif target not in PROVENANCE:
            outputs.append(f"CAST(NULL AS {_sql_type(dtype)}) AS {ident(target)}")
    pairs = ", ".join(f"{literal(name)}, e{i}" for i, name in enumerate(extras))
    extra_json = f"CAST(json_object({pairs}) AS VARCHAR)" if extras else "CAST(NULL AS VARCHAR)"
    outputs += [
        f"{extra_json} AS extra_columns",
        f"{literal(layout.version)} AS focus_version",
        f"{literal(file.source_file)} AS source_file",
        f"CAST({ROW} AS BIGINT) AS source_row",
    ]
    problem_aliases = [f"p{k}" for k in range(len(messages))]
    if problem_aliases:
        listed = ", ".join(problem_aliases)
        outputs.append(
            f"CASE WHEN coalesce({listed}) IS NULL THEN NULL "
            f"ELSE list_filter([{listed}], m -> m IS NOT NULL) END AS {PROBLEMS}"
        )
    else:
        outputs.append(f"CAST(NULL AS VARCHAR[]) AS {PROBLEMS}")
    outputs.append(ROW)

    sql = f"SELECT {', '.join([*level1, ROW])} FROM {file.relation}"
    sql = f"SELECT {', '.join([*level2, *carried, ROW])} FROM ({sql})"
    sql = f"SELECT {', '.join([*level3, *value.values(), *carried[len(text) :], ROW])} FROM ({sql})"
    return f"SELECT {', '.join(outputs)} FROM ({sql})"


def _sql_type(dtype: object) -> str:
    text = str(dtype)
    if text.startswith("decimal"):
        return "DECIMAL(38, 18)"
    return {"string": "VARCHAR", "timestamp": "TIMESTAMP", "int64": "BIGINT"}[text]
