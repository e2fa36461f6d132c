"""Range-query answers decoded without a Python object per point, and the same answer in
another layout (keys reordered, spaces) decoded the slow way to the same arrays."""

from __future__ import annotations

import json

import numpy as np
import pytest

from costplane.sources.prometheus.matrix import Matrix, _scan, decode_matrix

RESULT = [
    {
        "metric": {"namespace": "shop", "pod": "web-1"},
        "values": [[1700000000, "0.25"], [1700003600, "1e-05"]],
    },
    {"metric": {"router": 'odd ]] "name", {x}'}, "values": [[1700000000.5, "NaN"]]},
    {
        "metric": {},
        "values": [[1700000000, "+Inf"], [1700003600, "-Inf"], [1700007200, "12345678901234"]],
    },
]


def prometheus_body(result: list[dict[str, object]], warnings: list[str] | None = None) -> bytes:
    """As Prometheus writes it: compact, status first, warnings after the data."""
    document: dict[str, object] = {
        "status": "success",
        "data": {"resultType": "matrix", "result": result},
    }
    if warnings is not None:
        document["warnings"] = warnings
    return json.dumps(document, separators=(",", ":")).encode()


def check(matrix: Matrix) -> None:
    assert matrix.metrics == [s["metric"] for s in RESULT]
    assert matrix.counts.tolist() == [2, 1, 3]
    assert matrix.times.tolist() == [
        1700000000,
        1700003600,
        1700000000.5,
        1700000000,
        1700003600,
        1700007200,
    ]
    values = matrix.values
    assert values[[0, 1, 5]].tolist() == [0.25, 1e-05, 12345678901234.0]
    assert np.isnan(values[2])
    assert values[3] == np.inf
    assert values[4] == -np.inf


def test_prometheus_layout() -> None:
    body = prometheus_body(RESULT, ["PromQL info: metric might not be a counter"])
    matrix = decode_matrix(body)
    check(matrix)
    check(_scan(body))  # the fast path reads this layout itself
    assert matrix.warnings == ["PromQL info: metric might not be a counter"]


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(
            {"data": {"result": RESULT, "resultType": "matrix"}, "status": "success"}
        ).encode(),
        json.dumps(
            {"status": "success", "data": {"resultType": "matrix", "result": RESULT}}, indent=1
        ).encode(),
    ],
)
def test_other_layouts(body: bytes) -> None:
    check(decode_matrix(body))


def test_empty_and_not_a_matrix() -> None:
    empty = decode_matrix(prometheus_body([]))
    assert (empty.points, empty.metrics) == (0, [])
    with pytest.raises(ValueError, match="not a matrix"):
        decode_matrix(b'{"status":"success","data":{"resultType":"vector","result":[]}}')
    with pytest.raises(json.JSONDecodeError):
        decode_matrix(b"<html>login</html>")
