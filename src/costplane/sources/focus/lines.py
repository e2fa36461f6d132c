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
QUOTE, NEWLINE, RETURN = ord('"'), ord("\n"), ord("\r")


def record_lines(data: bytes | memoryview) -> npt.NDArray[np.int64]:
    """The 1-based line number on which each non-empty record starts, header first."""
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
    return lines.astype(np.int64)
