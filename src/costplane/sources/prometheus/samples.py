"""A range query's matrix as arrays: series key, evaluation index, value.

Labels are looked at once per series (a key id); the points stay numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from costplane.sources.prometheus.matrix import Matrix
from costplane.sources.prometheus.window import Window


@dataclass
class Keys:
    """Ids for the label tuples `labels` of result series, in order of first sight."""

    labels: tuple[str, ...]
    ids: dict[tuple[str, ...], int] = field(default_factory=dict)

    def id(self, metric: dict[str, str]) -> int:
        key = tuple(metric.get(label, "") for label in self.labels)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.ids)
        return found

    def column(self, position: int) -> list[str]:
        """The values of label `labels[position]`, by key id."""
        return [key[position] for key in self.ids]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Samples:
    """Points of one field: per point its key id, evaluation index (1-based) and value."""

    key: np.ndarray
    k: np.ndarray
    value: np.ndarray

    @property
    def points(self) -> int:
        return len(self.value)

    @staticmethod
    def empty() -> Samples:
        return Samples(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))

    @staticmethod
    def concat(parts: Sequence[Samples]) -> Samples:
        if not parts:
            return Samples.empty()
        return Samples(
            np.concatenate([p.key for p in parts]),
            np.concatenate([p.k for p in parts]),
            np.concatenate([p.value for p in parts]),
        )


def matrix_samples(matrix: Matrix, keys: Keys, window: Window) -> Samples:
    """The points of a matrix, keyed by `keys` (which learns new series)."""
    if not matrix.metrics:
        return Samples.empty()
    ids = np.array([keys.id(metric) for metric in matrix.metrics], dtype=np.int64)
    k = np.rint((matrix.times - window.start_epoch) / window.step).astype(np.int64)
    return Samples(np.repeat(ids, matrix.counts), k, matrix.values)
