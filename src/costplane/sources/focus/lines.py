"""Where each CSV record starts: its line number in the file, found without a Python loop per row.

In RFC 4180 CSV a newline ends a record unless it sits inside quotes, and it
sits inside quotes exactly when an odd number of `"` precede it (an escaped
quote `""` adds two). So counting quotes before every newline (numpy, a chunk
at a time) gives the record boundaries; empty lines are not records, as the
CSV reader skips them too. Record 0 is the header.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

CHUNK_BYTES = 64 << 20
QUOTE, NEWLINE, RETURN, COMMA = ord('"'), ord("\n"), ord("\r"), ord(",")


def record_lines(data: bytes | bytearray | memoryview) -> npt.NDArray[np.int64]:
    """The 1-based line number on which each non-empty record starts, header first."""
    return record_spans(data)[0]


def record_spans(
    data: bytes | bytearray | memoryview,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each non-empty record's line number, and its first and last-plus-one byte offsets."""
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines: list[npt.NDArray[np.int64]] = []
    enders: list[npt.NDArray[np.int64]] = []
    quotes_before = 0
    for offset in range(0, len(raw), CHUNK_BYTES):
        chunk = raw[offset : offset + CHUNK_BYTES]
        quote_at = np.flatnonzero(chunk == QUOTE)
        newline_at = np.flatnonzero(chunk == NEWLINE)
        parity = (quotes_before + np.searchsorted(quote_at, newline_at)) % 2
        newlines.append(newline_at + offset)
        enders.append(newline_at[parity == 0] + offset)
        quotes_before += len(quote_at)
    every_newline = np.concatenate(newlines) if newlines else np.zeros(0, np.int64)
    ends = np.concatenate(enders) if enders else np.zeros(0, np.int64)
    starts = np.concatenate([[0], ends + 1])
    stops = np.concatenate([ends, [len(raw)]])
    length = stops - starts
    lone_return = np.zeros(len(starts), dtype=bool)
    single = np.flatnonzero(length == 1)
    lone_return[single] = raw[starts[single]] == RETURN
    kept = (length > 0) & ~lone_return
    lines: npt.NDArray[np.int64] = np.searchsorted(every_newline, starts[kept]) + 1
    return (
        lines.astype(np.int64),
        starts[kept].astype(np.int64),
        stops[kept].astype(np.int64),
    )


def widest_field(record: bytes | bytearray | memoryview) -> tuple[int, int]:
    """The 0-based index and byte length of a record's longest field (quotes included):
    fields end at commas outside quotes, found as newlines are, without a Python loop."""
    raw = np.frombuffer(record, dtype=np.uint8)
    quoted = np.cumsum(raw == QUOTE) % 2 == 1
    commas = np.flatnonzero((raw == COMMA) & ~quoted)
    starts = np.concatenate([[0], commas + 1])
    stops = np.concatenate([commas, [len(raw)]])
    index = int(np.argmax(stops - starts))
    return index, int(stops[index] - starts[index])
