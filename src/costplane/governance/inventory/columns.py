"""Reading one key path out of many documents at once, and testing what was read.

A `Column` holds the values a path reaches in a batch. Each step is one pass
over the values still present, in C where it can be (`map(itemgetter(...))`);
only when a value lacks the key does the step fall back to a guarded Python
pass that drops it. Values are tied to *slots*: without `[*]` a slot is a
resource; after `[*]` it is one element of the list, and `owner` says whose.

`apply` runs a test once per distinct value (tests are pure) and maps the
answers back, so a filter costs about one dictionary look-up per resource
after the path is read. Columns are cached per path prefix in `ColumnCache`,
so policies that read `spec.template.spec.containers[0].resources` share it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from costplane.governance.filters.operators import MATCH, UNREADABLE
from costplane.governance.inventory.paths import WILDCARD, Step

Rows = npt.NDArray[np.intp]
Codes = npt.NDArray[np.int8]
Flags = npt.NDArray[np.bool_]
Quantifier = Literal["any", "all"]


@dataclass(frozen=True)
class Column:
    """Values a path reached, per slot; slots are rows unless the path has `[*]`."""

    rows: int
    slots: int
    owner: Rows | None
    """Row of each slot; None when slot i is row i."""
    present: Rows | None
    """Slot of each value; None when value i is slot i (every slot has a value)."""
    values: list[object]

    @classmethod
    def of(cls, values: Sequence[object]) -> Column:
        """A column with one value per row (documents, or fact values)."""
        return cls(len(values), len(values), None, None, list(values))

    @property
    def multi(self) -> bool:
        return self.owner is not None

    def step(self, step: Step) -> Column:
        """The column one step further along the path."""
        if step is WILDCARD:
            return self._elements()
        read: Callable[[Any], object] = itemgetter(step)
        if isinstance(step, str):
            try:
                return self._replace(self.present, list(map(read, self.values)))
            except (KeyError, TypeError, IndexError):
                return self._kept(lambda v: isinstance(v, dict) and step in v, read)
        assert isinstance(step, int)
        index = step
        if set(map(type, self.values)) == {list}:
            try:
                return self._replace(self.present, list(map(read, self.values)))
            except IndexError:
                pass
        return self._kept(lambda v: isinstance(v, list) and -len(v) <= index < len(v), read)

    def walk(self, steps: Sequence[Step]) -> Column:
        """The column `steps` further on. A run of keys and indexes goes in one pass per
        value, so each resource's objects are read together while they are in the CPU's
        cache; when a value lacks a key the run is redone one guarded step at a time."""
        column, run = self, list[Step]()
        for step in steps:
            if step is WILDCARD:
                column, run = column._run(run)._elements(), []
            else:
                run.append(step)
        return column._run(run)

    def _run(self, steps: list[Step]) -> Column:
        if len(steps) > 1 and _fusable(steps):
            values: Iterable[Any] = self.values
            for step in steps:
                read: Callable[[Any], object] = itemgetter(step)
                values = map(read, values)
            try:
                return self._replace(self.present, list(values))
            except (KeyError, TypeError, IndexError):
                pass
        column = self
        for step in steps:
            column = column.step(step)
        return column

    def _kept(self, keep: Callable[[object], bool], read: Callable[[object], object]) -> Column:
        slots = self._slots()
        pairs = [(slot, read(v)) for slot, v in zip(slots, self.values, strict=True) if keep(v)]
        present = np.fromiter((slot for slot, _ in pairs), np.intp, len(pairs))
        return self._replace(present, [value for _, value in pairs])

    def _elements(self) -> Column:
        slots = zip(self._slots(), self.values, strict=True)
        lists = [(slot, v) for slot, v in slots if isinstance(v, list)]
        lengths = np.fromiter((len(v) for _, v in lists), np.intp, len(lists))
        parents = np.fromiter((slot for slot, _ in lists), np.intp, len(lists))
        parent_slot = np.repeat(parents, lengths)
        owner = parent_slot if self.owner is None else self.owner[parent_slot]
        values = list(chain.from_iterable(v for _, v in lists))
        return Column(self.rows, len(values), owner, None, values)

    def _slots(self) -> Sequence[int] | Rows:
        return range(len(self.values)) if self.present is None else self.present

    def _replace(self, present: Rows | None, values: list[object]) -> Column:
        return Column(self.rows, self.slots, self.owner, present, values)


def _fusable(steps: Sequence[Step]) -> bool:
    """Whether plain subscripts are exact along `steps`: an index read from text gives a
    character, so an index must be followed by a key (a key on text raises, and the run
    is redone guarded)."""
    pairs = zip(steps, [*steps[1:], None], strict=True)
    return all(isinstance(after, str) for step, after in pairs if isinstance(step, int))


class ColumnCache:
    """Columns of one batch by path, each read once; `shared` prefixes (where the paths of
    several filters part) are kept too, so those filters read the common part once.

    With `read_ahead`, a function reading many paths at once (JSON texts, see
    `json_texts.py`), the batch's `paths` are all read on the first request."""

    def __init__(
        self,
        documents: Sequence[object],
        shared: Iterable[tuple[Step, ...]] = (),
        *,
        paths: Iterable[tuple[Step, ...]] = (),
        read_ahead: Callable[[set[tuple[Step, ...]]], dict[tuple[Step, ...], Column]] | None = None,
    ):
        self._documents = documents
        self._columns: dict[tuple[Step, ...], Column] = {}
        self._shared = sorted(set(shared), key=len, reverse=True)
        self._ahead = frozenset(paths) if read_ahead is not None else frozenset()
        self._read_ahead = read_ahead

    def read_ahead(self, steps: tuple[Step, ...]) -> bool:
        """Whether `steps` is (or will be) read for every row at once, at no extra cost."""
        return steps in self._ahead

    def get(self, steps: tuple[Step, ...]) -> Column:
        if self._read_ahead is not None:
            reader, self._read_ahead = self._read_ahead, None
            self._columns.update(reader(set(self._ahead)))
        column = self._columns.get(steps)
        if column is None:
            if not steps:
                column = Column.of(self._documents)
                self._columns[steps] = column
                return column
            base = self.shared_base(steps)
            column = self.get(base).walk(steps[len(base) :])
            self._columns[steps] = column
        return column

    def shared_base(self, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        """The longest shared prefix of `steps` (read for another filter too), or ()."""
        return next((p for p in self._shared if len(p) < len(steps) and steps[: len(p)] == p), ())


def shared_prefixes(paths: Iterable[tuple[Step, ...]]) -> set[tuple[Step, ...]]:
    """The longest common prefix of every two distinct paths (where reading them parts)."""
    distinct = sorted(set(paths), key=repr)
    found: set[tuple[Step, ...]] = set()
    for index, path in enumerate(distinct):
        for other in distinct[index + 1 :]:
            common = 0
            while common < min(len(path), len(other)) and path[common] == other[common]:
                common += 1
            if common:
                found.add(path[:common])
    return found


def apply(test: Callable[[object], int], values: Sequence[object]) -> Codes:
    """`test` of each value, computed once per distinct value."""
    try:
        distinct = set(values)
    except TypeError:  # lists or mappings among the values
        return np.fromiter(map(test, values), np.int8, len(values))
    answers = {value: test(value) for value in distinct}
    if (True in answers or False in answers) and bool in set(map(type, values)):
        return _apply_with_booleans(test, values)
    try:
        return np.fromiter(map(answers.__getitem__, values), np.int8, len(values))
    except KeyError:  # a NaN is not equal to itself
        return np.fromiter(map(test, values), np.int8, len(values))


def _apply_with_booleans(test: Callable[[object], int], values: Sequence[object]) -> Codes:
    """As `apply`, when true/false sit beside 1/0, which a dict would take for the same key."""
    booleans = {True: test(True), False: test(False)}
    others = {v: test(v) for v in {v for v in values if v.__class__ is not bool}}
    codes = (booleans[v] if v.__class__ is bool else others[v] for v in values)
    return np.fromiter(codes, np.int8, len(values))


def slot_codes(column: Column, test: Callable[[object], int]) -> Codes:
    """The test's answer for every slot; a slot the path did not reach is tested as absent."""
    codes = apply(test, column.values)
    if column.present is None:
        return codes
    full = np.full(column.slots, test(None), np.int8)
    full[column.present] = codes
    return full


def row_outcome(column: Column, codes: Codes, quantifier: Quantifier) -> tuple[Flags, Flags]:
    """(matched, unreadable) per row. With `[*]`, `any` matches when one element does and
    `all` when the row has elements and every one does; a row whose list is missing or
    empty has no element, so it matches neither."""
    if column.owner is None:
        return codes == MATCH, codes == UNREADABLE
    owner, rows = column.owner, column.rows
    matched = np.bincount(owner[codes == MATCH], minlength=rows)
    unreadable = np.bincount(owner[codes == UNREADABLE], minlength=rows) > 0
    if quantifier == "any":
        return matched > 0, unreadable
    elements = np.bincount(owner, minlength=rows)
    return (elements > 0) & (matched == elements), unreadable


def extract(column: Column, steps: Sequence[Step]) -> Column:
    """`column` read further along `steps`."""
    return column.walk(steps)
