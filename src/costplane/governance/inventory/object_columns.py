"""Reading paths from a snapshot stored as columns (`warehouse/columnar.py`).

A path is followed through the stored structure as far as it goes: struct fields
by key, list elements by index or `[*]`, in Arrow, for every resource at once.
Where it stops, the rest is done as for dictionaries:
- at a JSON text leaf, each distinct text is decoded once and the remaining steps
  are walked with the same `Column` steps dictionaries use;
- where the structure has no such key, or a key meets a list (or an index an
  object), nothing is there: the remaining steps are walked over no values, so a
  `[*]` after it has no elements, as with dictionaries;
- a path ending on a list of leaves gives the lists themselves.
A path ending on an object (or a list of objects) needs the object as written,
which the columns do not keep (a missing key and a null read alike there): it is
read from the texts, as is every path of a kind stored without columns.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costplane.governance.inventory.columns import Column, Rows
from costplane.governance.inventory.json_texts import Path, decoded, read_columns
from costplane.governance.inventory.paths import WILDCARD
from costplane.warehouse import ELEMENT, ObjectColumns

Stored: TypeAlias = ObjectColumns | pa.Array
"""Documents as kept in storage: stored columns, or an array of JSON texts."""


def read_parts(parts: Sequence[Stored], paths: Collection[Path]) -> dict[Path, Column]:
    """The column of every path that can be read for documents kept in `parts`, one part
    after the other (each cluster's snapshot of a kind, say)."""
    read = [_read(part, paths) for part in parts]
    if len(read) == 1:
        return read[0]
    return {steps: _joined([found[steps] for found in read]) for steps in paths
            if all(steps in found for found in read)}  # fmt: skip


def stored_texts(parts: Sequence[Stored]) -> pa.Array:
    """The JSON texts of every document of `parts`, in order."""
    texts = [part.objects() if isinstance(part, ObjectColumns) else part for part in parts]
    return texts[0] if len(texts) == 1 else pa.concat_arrays(texts)


def _read(part: Stored, paths: Collection[Path]) -> dict[Path, Column]:
    if isinstance(part, ObjectColumns):
        return read_stored(part, paths)
    return read_columns(part, paths)


def _joined(columns: list[Column]) -> Column:
    """One column of the documents of several, in order."""
    multi = any(column.owner is not None for column in columns)
    rows, slots, owners, present, values = 0, 0, [], [], list[object]()
    for column in columns:
        owner = column.owner if column.owner is not None else np.arange(column.slots)
        owners.append(owner + rows)
        held = column.present if column.present is not None else np.arange(len(column.values))
        present.append(held + slots)
        values.extend(column.values)
        rows, slots = rows + column.rows, slots + column.slots
    return Column(
        rows,
        slots,
        np.concatenate(owners) if multi else None,
        np.concatenate(present) if len(values) < slots else None,
        values,
    )


@dataclass(frozen=True)
class _Plan:
    """How far a path goes in the stored structure, and what is left to walk."""

    through: Path
    """Steps followed in Arrow."""
    leaf: tuple[str, ...]
    """The stored leaf (or node) to read for them."""
    rest: Path
    """Steps walked in Python after `through` (over no values when `missing`)."""
    missing: bool = False
    lists: bool = False
    """The path ends on a list of leaves: its values are the lists."""


def read_stored(columns: ObjectColumns, paths: Collection[Path]) -> dict[Path, Column]:
    """The column of every path, from the stored columns where the structure allows and
    from the texts otherwise."""
    structure = columns.structure
    plans = {steps: _plan(structure, steps) for steps in paths}
    found: dict[Path, Column] = {}
    readable = {steps: plan for steps, plan in plans.items() if plan is not None}
    if readable:
        doc = columns.read([plan.leaf for plan in readable.values()])
        found = {steps: _column(doc, plan) for steps, plan in readable.items()}
    others = [steps for steps, plan in plans.items() if plan is None]
    if others:
        found.update(read_columns(columns.objects(), others))
    return found


def _plan(structure: pa.DataType, steps: Path) -> _Plan | None:
    node, leaf = structure, list[str]()
    for at, step in enumerate(steps):
        if pa.types.is_struct(node):
            index = node.get_field_index(step) if isinstance(step, str) else -1
            if index < 0:
                return _Plan(steps[:at], (*leaf, *_first_leaf(node)), steps[at:], missing=True)
            leaf.append(node.field(index).name)
            node = node.field(index).type
        elif pa.types.is_list(node):
            if isinstance(step, str):
                return _Plan(steps[:at], (*leaf, *_first_leaf(node)), steps[at:], missing=True)
            leaf.append(ELEMENT)
            node = node.value_type
        else:  # a JSON text leaf
            return _Plan(steps[:at], tuple(leaf), steps[at:])
    if pa.types.is_string(node):
        return _Plan(steps, tuple(leaf), ())
    if pa.types.is_list(node) and pa.types.is_string(node.value_type):
        return _Plan(steps, (*leaf, ELEMENT), (), lists=True)
    return None


def _first_leaf(node: pa.DataType) -> tuple[str, ...]:
    """Some leaf under `node`: reading it gives the node's nulls and list lengths."""
    if pa.types.is_struct(node):
        return (node.field(0).name, *_first_leaf(node.field(0).type))
    if pa.types.is_list(node):
        return (ELEMENT, *_first_leaf(node.value_type))
    return ()


def _column(doc: pa.StructArray, plan: _Plan) -> Column:
    """Follow the plan's steps in Arrow, then walk the rest over what was reached."""
    rows = len(doc)
    array: pa.Array = doc
    slots, owner, at = rows, None, None  # at: the slot of each entry of `array`
    for step in plan.through:
        if step is WILDCARD:
            starts, lengths = _lists(array)
            parents = np.repeat(np.arange(len(array)), lengths)
            parent_slot = parents if at is None else at[parents]
            owner = parent_slot if owner is None else owner[parent_slot]
            array = array.values.take(_ranges(starts, lengths))
            slots, at = len(array), None
        elif isinstance(step, int):
            starts, lengths = _lists(array)
            index = np.full(len(array), step) if step >= 0 else lengths + step
            kept = np.flatnonzero((index >= 0) & (index < lengths))
            array = array.values.take(starts[kept] + index[kept])
            at = kept if at is None else at[kept]
        else:
            array = pc.struct_field(array, [array.type.get_field_index(step)])
    if plan.missing:
        empty = Column(rows, slots, owner, np.empty(0, np.intp), [])
        return empty.walk(plan.rest)
    valid = np.flatnonzero(array.is_valid().to_numpy(zero_copy_only=False))
    present: Rows | None = valid if at is None else at[valid]
    if present is not None and len(present) == slots:
        present = None
    array = array.drop_null()
    values = _lists_of(array) if plan.lists else decoded(array)
    return Column(rows, slots, owner, present, values).walk(plan.rest)


def _lists(array: pa.Array) -> tuple[Rows, Rows]:
    """Where each list starts in `array.values`, and its length (0 for a null list)."""
    offsets = array.offsets.to_numpy()
    lengths = np.diff(offsets)
    if array.null_count:
        lengths[~array.is_valid().to_numpy(zero_copy_only=False)] = 0
    return offsets[:-1], lengths


def _ranges(starts: Rows, lengths: Rows) -> Rows:
    """The positions of every list's elements, in order."""
    total = int(lengths.sum())
    first = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return first + np.arange(total)


def _lists_of(array: pa.Array) -> list[object]:
    """Each list (no null lists here) as a Python list of decoded elements."""
    starts, lengths = _lists(array)
    elements = array.values.take(_ranges(starts, lengths))
    valid = elements.is_valid().to_numpy(zero_copy_only=False)
    flat: list[object] = [None] * len(elements)
    for position, value in zip(np.flatnonzero(valid), decoded(elements.drop_null()), strict=True):
        flat[position] = value
    ends = np.cumsum(lengths)
    return [flat[end - length : end] for end, length in zip(ends, lengths, strict=True)]
