"""How much a CSV bill may make Costplane hold in memory, and how a file past it is told.

A CSV bill is parsed in memory (Arrow), at about three times its text, so its
text is bounded: a gzip file of a few MB can inflate to gigabytes. The bound is
on the text of all the CSV files of one command together (they are held
together until they are loaded), checked while inflating, before anything is
kept: a gzip bomb is refused after reading at most the bound, in constant
memory. A record (a CSV line) is bounded too, since Arrow parses a record in
one block. Parquet bills are scanned where they lie, and have neither bound.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

from costplane.errors import InputError
from costplane.quantity import parse_quantity

MAX_CSV_BYTES = 1 << 30
"""Default bound on the CSV text of one command (1 GiB: about 3 GiB of memory)."""
MAX_RECORD_BYTES = 16 << 20
"""Default bound on one CSV record (16 MiB); real bills' records are a few hundred bytes."""
LARGEST_RECORD = (1 << 31) - 1
"""Arrow's block size, which holds a record, is a 32-bit count."""
CHUNK = 1 << 20


def byte_size(flag: str, text: str) -> int:
    """A size given on the command line as a Kubernetes quantity (`512Mi`, `2Gi`, `1e9`)."""
    try:
        value = parse_quantity(text)
    except ValueError as exc:
        raise InputError(f"{flag} {text!r}: not a size such as 512Mi or 2Gi") from exc
    if value != int(value) or value < 1:
        raise InputError(f"{flag} {text!r}: not a whole number of bytes of at least 1")
    return int(value)


def shown_size(count: int) -> str:
    """`1 GiB`, `16 MiB`, or `1,234,567 bytes`: sizes as the flags take them back."""
    for unit, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= unit and count % unit == 0:
            return f"{count // unit:,} {name}"
    return f"{count:,} bytes"


@dataclass
class CsvBudget:
    """The CSV text one command may still read, and the longest record it may parse."""

    total: int = MAX_CSV_BYTES
    record: int = MAX_RECORD_BYTES
    used: int = 0

    def over(self, size: int | None, *, inflated: bool) -> str | None:
        """Why a file of `size` bytes of text (None: more than is left) cannot be read."""
        left = self.total - self.used
        if size is not None and size <= left:
            return None
        measured = " once decompressed" if inflated else ""
        more = "more than " if size is None else ""
        amount = f"{more}{shown_size(left if size is None else size)} of CSV text{measured}"
        where = "" if self.used == 0 else f" (the files before it hold {shown_size(self.used)})"
        return (
            f"{amount}{where}: a command reads at most {shown_size(self.total)} of CSV "
            "in memory; --max-csv-size raises it (about 3 bytes of memory per byte of "
            "text), or export the bill as Parquet, which has no such bound"
        )

    def inflated_size(self, path: Path) -> int | None:
        """The size of a gzip file's text, inflating it a chunk at a time and keeping none
        of it; None as soon as it exceeds what is left."""
        left = self.total - self.used
        size = 0
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                size += len(chunk)
                if size > left:
                    return None
        return size

    def record_block(self) -> int:
        """Arrow's block size: a record no longer than a block crosses at most one block
        boundary, which Arrow parses (two it cannot: "straddles two block boundaries")."""
        return min(max(self.record, CHUNK), LARGEST_RECORD)
