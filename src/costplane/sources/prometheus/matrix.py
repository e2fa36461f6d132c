"""A range query's answer decoded into arrays, without a Python object per point.

`json.loads` makes a list, an int and a str for every point, which is most of
the collector's own time at millions of points. Prometheus (and Thanos, Mimir)
write a matrix as `{"metric":{...},"values":[[t,"v"],...]}` per series, and a
point holds only digits, signs, dots, `NaN` and `Inf`: so the labels of each
series are decoded with `json`, and all the points of the answer are turned
into `t,v` lines that Arrow's CSV reader parses in C++. An answer in any other
shape is decoded with `json`, the same result only slower.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

PREFIX = b'{"status":"success","data":{"resultType":"matrix","result":['
SERIES = b'{"metric":'
VALUES = b',"values":['
READ = pcsv.ReadOptions(column_names=["t", "v"])
PARSE = pcsv.ParseOptions(quote_char=False)
CONVERT = pcsv.ConvertOptions(
    column_types={"t": pa.float64(), "v": pa.float64()}, null_values=[], strings_can_be_null=False
)


@dataclass(frozen=True)
class Matrix:
    """Series labels, points per series, and every point's time and value, series-major."""

    metrics: list[dict[str, str]]
    counts: np.ndarray
    times: np.ndarray
    values: np.ndarray
    warnings: list[str] = field(default_factory=list)

    @property
    def points(self) -> int:
        return len(self.values)


def decode_matrix(body: bytes) -> Matrix:
    """The matrix of a successful range query's body; ValueError when it is not one."""
    if body.startswith(PREFIX):
        try:
            return _scan(body)
        except (ValueError, IndexError):
            pass  # an unexpected layout: decode it the slow way
    document = json.loads(body)
    if not isinstance(document, dict) or document.get("status") != "success":
        raise ValueError("not a successful answer")
    data = document.get("data")
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        raise ValueError("the answer is not a matrix")
    try:
        return _from_json(data["result"], document.get("warnings") or [])
    except (KeyError, TypeError, IndexError) as error:
        raise ValueError(f"not a matrix ({error!r})") from None


def _scan(body: bytes) -> Matrix:
    find = body.find
    position = len(PREFIX)
    metrics: list[dict[str, str]] = []
    spans: list[bytes] = []
    while body.startswith(SERIES, position):
        middle = find(VALUES, position)
        metrics.append(json.loads(body[position + len(SERIES) : middle]))
        start = middle + len(VALUES)
        end = find(b"]]", start) + 1
        if end <= 0 or not body.startswith(b"[", start):
            raise ValueError("no values, or unterminated")
        spans.append(body[start:end])
        position = end + 2  # past "]}"
        if body.startswith(b",", position):
            position += 1
    if not body.startswith(b"]}", position):
        raise ValueError("unexpected end of the result")
    rest = body[position + 2 :].strip()
    extra: dict[str, Any] = json.loads(b"{" + rest[1:]) if rest.startswith(b",") else {}
    if rest != b"}" and not rest.startswith(b","):
        raise ValueError("unexpected text after the data")
    counts = np.array([span.count(b"],[") + 1 for span in spans], dtype=np.int64)
    times, values = _points(spans)
    if len(values) != int(counts.sum()):
        raise ValueError("points and counts disagree")
    return Matrix(metrics, counts, times, values, [str(w) for w in extra.get("warnings") or []])


def _points(spans: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    if not spans:
        return np.empty(0), np.empty(0)
    lines = b"\n".join(spans).replace(b"],[", b"\n").translate(None, b'[]"')
    table = pcsv.read_csv(pa.py_buffer(lines), READ, PARSE, CONVERT)
    times = table.column("t").to_numpy()
    values = table.column("v").to_numpy()
    return times, values


def _from_json(result: list[dict[str, Any]], warnings: list[Any]) -> Matrix:
    metrics = [series["metric"] for series in result]
    counts = np.array([len(series["values"]) for series in result], dtype=np.int64)
    flat = list(chain.from_iterable(chain.from_iterable(s["values"] for s in result)))
    times = np.array(flat[0::2], dtype=np.float64)
    values = np.array(flat[1::2], dtype=np.float64)
    return Matrix(metrics, counts, times, values, [str(w) for w in warnings])
