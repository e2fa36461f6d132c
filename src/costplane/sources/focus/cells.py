"""Reading one FOCUS cell exactly, as DuckDB SQL that runs on every row at once.

A cell is read in three steps, each a level of one SELECT (`rows.py`):
1. `text`: the cell as written, with the null tokens (empty, `NULL`, `null`,
   `Null`) made NULL; a typed Parquet column passes through as it is;
2. `value`: the cell as its warehouse type: money via DECIMAL(38, 18) from its
   text (never through a float; a Parquet float is read through its shortest
   text), date-times as naive UTC, enumerations in FOCUS's spelling;
3. `problem`: NULL when the cell is fine, otherwise one sentence naming the
   column and quoting the value, e.g. `BilledCost: not a decimal: '12,5'`.

Nothing here loops over rows in Python; the checks are regular expressions,
TRY_CASTs and CASEs that DuckDB evaluates a vector at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

NULL_TOKENS = ("", "NULL", "null", "Null")
"""Cells read as null in every column: FOCUS writes null as an empty cell, real
exports also write the literal NULL or null."""

DECIMAL_PATTERN = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
"""A decimal number as text: `12`, `-0.5`, `.5`, `8.0E-7`; no thousands separator, no comma."""

DATETIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,9})?)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
"""ISO 8601 / RFC 3339 date-times: a space may stand for the T; no zone means UTC."""

UTC = "make_timestamp(epoch_us({zoned}))"
"""A zoned time as naive UTC: its microseconds since the epoch, which are UTC already
(a cast to TIMESTAMP would ask the time zone library about every value)."""

SCALE = 18
"""Decimal places the warehouse keeps (decimal(38, 18)); more would be rounded."""
INTEGER_DIGITS = 20

ENUMERATIONS: dict[str, tuple[str, ...]] = {
    "ChargeCategory": ("Adjustment", "Credit", "Purchase", "Tax", "Usage"),
    "ChargeClass": ("Correction",),
    "ChargeFrequency": ("One-Time", "Recurring", "Usage-Based"),
    "PricingCategory": ("Committed", "Dynamic", "Other", "Standard"),
    "CommitmentDiscountCategory": ("Spend", "Usage"),
    "CommitmentDiscountStatus": ("Unused", "Used"),
}
"""FOCUS columns whose values come from a closed list: matched ignoring case and
stored in the specification's spelling (`Usage-based` is stored `Usage-Based`)."""


def ident(name: str) -> str:
    """An SQL identifier, safely quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def one_of(sql: str, values: Sequence[str]) -> str:
    """`sql` equals one of `values`: written as ORs, because DuckDB plans an IN list
    as a join, which the optimizer then cannot prune from a view's unused columns."""
    return "(" + " OR ".join(f"{sql} = {literal(v)}" for v in values) + ")"


def shown(text_sql: str) -> str:
    """SQL quoting a value for a message: `'12,5'`, long values cut at 60 characters,
    line breaks written as backslash-n so that a problem stays on one line."""
    flat = f"replace(replace({text_sql}, chr(13), '\\r'), chr(10), '\\n')"
    return (
        f"'''' || CASE WHEN length({flat}) > 60 THEN left({flat}, 57) || '...' "
        f"ELSE {flat} END || ''''"
    )


def _message(column: str, sentence_sql: str) -> str:
    return f"{literal(column + ': ')} || {sentence_sql}"


def _quoting(column: str, words: str, text_sql: str = "{text}") -> str:
    """`Column: words 'value'` as SQL."""
    return _message(column, f"{literal(words)} || {shown(text_sql)}")


@dataclass(frozen=True)
class Cell:
    """How one column of a file becomes one warehouse value, in three SQL steps.

    `text` reads the raw column `{source}`; `value` reads `{text}`; `problem`
    reads `{text}` and `{value}`: placeholders the SELECT replaces with aliases
    (plain replacement, so SQL braces such as `[A-Z]{3}` are safe).
    """

    column: str
    """The column's name as the file writes it, for messages."""
    text: str
    value: str
    problem: str | None = None


def _kind(duck_type: str) -> str:
    upper = duck_type.upper()
    if upper == "VARCHAR":
        return "text"
    if upper.startswith(("STRUCT", "MAP")) or upper.endswith("]"):
        return "nested"
    if upper.startswith("DECIMAL"):
        scale = int(re.findall(r"\d+", upper)[1])
        return "decimal" if scale <= SCALE else "other"
    if upper in {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}:
        return "integer"
    if upper in {"FLOAT", "DOUBLE", "REAL"}:
        return "float"
    if upper.startswith("TIMESTAMP") or upper == "DATE":
        return "datetime"
    return "other"


def text_of(duck_type: str) -> str:
    """SQL for a raw column as text with null tokens made NULL (nested values as JSON)."""
    kind = _kind(duck_type)
    if kind == "text":
        return f"CASE WHEN {one_of('{source}', NULL_TOKENS)} THEN NULL ELSE {{source}} END"
    if kind == "nested":
        return "CAST(to_json({source}) AS VARCHAR)"
    return "CAST({source} AS VARCHAR)"


def string_cell(column: str, duck_type: str) -> Cell:
    return Cell(column, text_of(duck_type), "{text}")


def extra_value(duck_type: str) -> str:
    """SQL for a column kept in `extra_columns`: text cells with null tokens made NULL,
    typed Parquet values as they are (json_object writes numbers as numbers)."""
    return text_of(duck_type) if _kind(duck_type) == "text" else "{source}"


def decimal_cell(column: str, duck_type: str, *, required: bool) -> Cell:
    """Money or a quantity: exact, at most 18 decimal places and 20 digits before the point."""
    kind = _kind(duck_type)
    missing = f"WHEN {{text}} IS NULL THEN {_message(column, literal('missing'))} "
    words = f"more than {INTEGER_DIGITS} digits before the decimal point: "
    too_large = literal(words)
    if kind in {"decimal", "integer"}:
        problem = (
            f"CASE {missing if required else ''}WHEN {{text}} IS NOT NULL AND {{value}} IS NULL "
            f"THEN {_quoting(column, words, 'CAST({text} AS VARCHAR)')} END"
        )
        return Cell(column, "{source}", "TRY_CAST({text} AS DECIMAL(38, 18))", problem)
    number = (
        "CASE WHEN {text} IS NULL THEN NULL "
        f"WHEN NOT regexp_full_match({{text}}, {literal(DECIMAL_PATTERN)}) "
        f"THEN {literal('not a decimal: ')} || {shown('{text}')} "
        f"WHEN {_exponent_places('{text}')} > {SCALE} OR ({_plain('{text}')} AND "
        f"length(rtrim(split_part({{text}}, '.', 2), '0')) > {SCALE}) "
        f"THEN {literal(f'more than {SCALE} decimal places (the warehouse keeps {SCALE}): ')}"
        f" || {shown('{text}')} "
        f"WHEN {{value}} IS NULL THEN {too_large} || {shown('{text}')} END"
    )
    problem = f"CASE {missing if required else ''}WHEN {{text}} IS NOT NULL THEN "
    problem += f"{literal(column + ': ')} || ({number}) END"
    return Cell(column, text_of(duck_type), "TRY_CAST({text} AS DECIMAL(38, 18))", problem)


def _plain(text_sql: str) -> str:
    return f"NOT contains(lower({text_sql}), 'e')"


def _exponent_places(text_sql: str) -> str:
    """Decimal places a number in exponent form needs (0 for plain numbers)."""
    pattern = literal(r"^[+-]?([0-9]*)\.?([0-9]*)[eE]([+-]?[0-9]+)$")
    digits = (
        f"(regexp_extract({text_sql}, {pattern}, 1) || regexp_extract({text_sql}, {pattern}, 2))"
    )
    point = (
        f"(length(regexp_extract({text_sql}, {pattern}, 1)) + "
        f"TRY_CAST(regexp_extract({text_sql}, {pattern}, 3) AS BIGINT))"
    )
    return (
        f"CASE WHEN {_plain(text_sql)} OR ltrim({digits}, '0') = '' THEN 0 "
        f"ELSE coalesce(length(rtrim({digits}, '0')) - {point}, {SCALE + 1}) END"
    )


def datetime_cell(column: str, duck_type: str, formats: Sequence[str], *, required: bool) -> Cell:
    """A date-time as naive UTC: ISO 8601, or one of the `--date-format` forms."""
    kind = _kind(duck_type)
    missing = f"WHEN {{text}} IS NULL THEN {_message(column, literal('missing'))} "
    if kind == "datetime":
        problem = f"CASE {missing}END" if required else None
        value = "CAST({text} AS TIMESTAMP)"
        if "TIME ZONE" in duck_type.upper():
            value = UTC.replace("{zoned}", "{text}")
        return Cell(column, "{source}", value, problem)
    zoned = "TRY_CAST(replace({text}, ',', '.') AS TIMESTAMPTZ)"
    iso = (
        f"CASE WHEN regexp_full_match({{text}}, {literal(DATETIME_PATTERN)}) "
        f"THEN {UTC.replace('{zoned}', zoned)} "
    )
    if formats:
        listed = ", ".join(literal(f) for f in formats)
        iso += f"ELSE CAST(try_strptime({{text}}, [{listed}]) AS TIMESTAMP) "
    value = iso + "END"
    hint = "''"
    if not formats:
        advice = literal(" (--date-format reads other forms, e.g. --date-format %m/%d/%y)")
        hint = f"CASE WHEN contains({{text}}, '/') THEN {advice} ELSE '' END"
    problem = (
        f"CASE {missing if required else ''}WHEN {{text}} IS NOT NULL AND {{value}} IS NULL "
        f"THEN {_quoting(column, 'not an ISO 8601 date-time: ')} || {hint} END"
    )
    return Cell(column, text_of(duck_type), value, problem)


def json_object_cell(column: str, duck_type: str) -> Cell:
    """Tags: a JSON object (an Arrow struct or map is written as one), or null."""
    is_object = "CASE WHEN json_valid({text}) THEN json_type({text}) = 'OBJECT' ELSE false END"
    problem = (
        f"CASE WHEN {{text}} IS NOT NULL AND NOT ({is_object}) "
        f"THEN {_quoting(column, 'not a JSON object: ')} END"
    )
    return Cell(column, text_of(duck_type), "{text}", problem)


def enumeration_cell(column: str, duck_type: str, values: Sequence[str]) -> Cell:
    """A closed list of values, matched ignoring case, stored in FOCUS's spelling."""
    spelled = " ".join(f"WHEN {literal(v.lower())} THEN {literal(v)}" for v in values)
    value = (
        f"CASE WHEN {one_of('{text}', values)} THEN {{text}} "
        f"ELSE CASE lower({{text}}) {spelled} END END"
    )
    expected = f"not one of {', '.join(values)}: "
    problem = (
        f"CASE WHEN {{text}} IS NOT NULL AND {{value}} IS NULL "
        f"THEN {_quoting(column, expected)} END"
    )
    return Cell(column, text_of(duck_type), value, problem)


def currency_cell(column: str, duck_type: str) -> Cell:
    """BillingCurrency: an ISO 4217 code, three capital letters."""
    problem = (
        f"CASE WHEN {{text}} IS NULL THEN {_message(column, literal('missing'))} "
        "WHEN NOT regexp_full_match({text}, '[A-Z]{3}') "
        f"THEN {_quoting(column, 'not an ISO 4217 currency code: ')} END"
    )
    return Cell(column, text_of(duck_type), "{text}", problem)


def required_cell(column: str, duck_type: str) -> Cell:
    """A string Costplane cannot do without (the billing account: the load's scope)."""
    problem = f"CASE WHEN {{text}} IS NULL THEN {_message(column, literal('missing'))} END"
    return Cell(column, text_of(duck_type), "{text}", problem)


def given_cell(column: str, value: str) -> Cell:
    """A column the file lacks, supplied by an option for every row."""
    return Cell(column, literal(value), "{text}")
