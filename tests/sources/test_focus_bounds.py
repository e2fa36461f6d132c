"""Hostile FOCUS CSV bills (issue 18): a gzip bomb is refused in constant memory with the
bound and the flag that raises it, and a record too long for the parser is refused naming
its line and column, never with Arrow's "straddles two block boundaries". The hostile files
are made here: a gzip bomb is one small gzip member of zeros (or of rows) repeated, which a
gzip reader inflates as one stream."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from costplane.sources.focus import FocusOptions, byte_size, read_focus_bill
from costplane.sources.focus.lines import widest_field
from tests.conftest import Run
from tests.sources.conftest import ROW, rows, write_bill

MIB = 1 << 20
BOUND_ADVICE = (
    "--max-csv-size raises it (about 3 bytes of memory per byte of text), "
    "or export the bill as Parquet, which has no such bound"
)


def gzip_bomb(path: Path, head: bytes, member: bytes, copies: int) -> Path:
    """`head` then `member` `copies` times, each a gzip member: inflates to
    len(head) + copies * len(member) bytes from a file a thousandth of that."""
    packed = gzip.compress(member, compresslevel=9)
    with path.open("wb") as handle:
        handle.write(gzip.compress(head))
        for _ in range(copies):
            handle.write(packed)
    return path


def row_block(count: int, first: int) -> bytes:
    """`count` valid CSV records of the conftest bill, without a header."""
    path_rows = rows(count + first)[first:]
    return "".join(",".join(r.values()) + "\n" for r in path_rows).encode()


HEADER = (",".join(ROW) + "\n").encode()


def test_a_gzip_bomb_is_refused_in_constant_memory(tmp_path: Path) -> None:
    """1.25 GiB of zeros in a 1.3 MB file: refused at the default 1 GiB bound, the text
    never held (the old reader held it all: 8.6 GB for a 4 MB file)."""
    bomb = gzip_bomb(tmp_path / "bill.csv.gz", HEADER, bytes(16 * MIB), 80)
    assert bomb.stat().st_size < 2 * MIB
    runner = textwrap.dedent(
        """
        import resource, subprocess, sys
        limit = 4 << 30  # a safety net for the machine, far above what is asserted
        done = subprocess.run(
            sys.argv[1:], capture_output=True, text=True, check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(done.returncode, peak)
        sys.stderr.write(done.stderr)
        """
    )
    costplane = Path(sys.executable).with_name("costplane")
    command = [str(costplane), "--home", str(tmp_path / "home"), "ingest", "focus", str(bomb)]
    done = subprocess.run(
        [sys.executable, "-c", runner, *command],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    code, peak = (int(x) for x in done.stdout.split())
    assert code == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"{bomb}: more than 1 GiB of CSV text once decompressed: a command reads at most "
        f"1 GiB of CSV in memory; {BOUND_ADVICE}",
        f"error: 1 problem in {bomb} as a whole; nothing was written",
    ]
    assert peak < 500 * MIB, f"peak resident memory {peak / MIB:.0f} MiB"
    assert not (tmp_path / "home" / ".costplane" / "warehouse.duckdb").exists()


def test_a_bomb_of_valid_rows_is_refused_at_the_bound_and_loads_when_it_is_raised(
    cli: Run, tmp_path: Path
) -> None:
    block = row_block(200, 0)
    bomb = gzip_bomb(tmp_path / "bill.csv.gz", HEADER, block, 40)
    inflated = len(HEADER) + 40 * len(block)
    assert 1 * MIB < inflated < 8 * MIB
    home = ["--home", str(tmp_path / "home")]
    refused = cli(*home, "ingest", "focus", str(bomb), "--max-csv-size", "1Mi")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[0] == (
        f"{bomb}: more than 1 MiB of CSV text once decompressed: a command reads at most "
        f"1 MiB of CSV in memory; {BOUND_ADVICE}"
    )
    loaded = cli(*home, "ingest", "focus", str(bomb), "--max-csv-size", "8Mi", "-o", "json")
    assert loaded.exit_code == 0, loaded.stderr
    assert json.loads(loaded.stdout)["files"][0]["rows"] == 40 * 200


def test_the_bound_holds_for_all_the_files_of_a_command(tmp_path: Path) -> None:
    first = write_bill(tmp_path / "a.csv", rows(2000))
    second = write_bill(tmp_path / "b.csv", [{**r, "x_Team": "red"} for r in rows(2000)])
    size = first.stat().st_size
    assert MIB // 2 < size < MIB
    options = FocusOptions(max_csv_bytes=MIB)
    try:
        read_focus_bill([first, second], options)
    except Exception as error:
        lines = str(error).splitlines()
    else:
        raise AssertionError("two files past the bound together were read")
    assert lines == [
        f"{second}: {second.stat().st_size:,} bytes of CSV text (the files before it hold "
        f"{size:,} bytes): a command reads at most 1 MiB of CSV in memory; {BOUND_ADVICE}",
        f"1 problem in {second} as a whole; nothing was written",
    ]
    with read_focus_bill([first], options) as bill:
        assert bill.files[0].rows == 2000


def test_a_field_longer_than_a_record_may_be_names_its_line_and_column(
    cli: Run, tmp_path: Path
) -> None:
    """20 MB in one cell, past the default 16 MiB: Arrow said only "straddling object
    straddles two block boundaries"."""
    records = rows(4)
    records[2]["ChargeDescription"] = "x" * 20_000_000
    bill = write_bill(tmp_path / "bill.csv", records)
    record = len(bill.read_bytes().split(b"\n")[3])
    result = cli("--home", str(tmp_path / "home"), "ingest", "focus", str(bill))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{bill}:4: ChargeDescription: a value of 20,000,000 bytes makes its record "
        f"({record:,} bytes) longer than the 16 MiB a CSV record may hold "
        "(--max-record-size raises it)",
        f"error: 1 problem in {bill} as a whole; nothing was written",
    ]
    raised = cli(
        "--home", str(tmp_path / "home"), "ingest", "focus", str(bill), "--max-record-size", "32Mi"
    )
    assert raised.exit_code == 0, raised.stderr


def test_a_quoted_field_with_newlines_is_placed_on_the_line_it_starts(tmp_path: Path) -> None:
    records = rows(5)
    records[0]["x_Team"] = "a\nb"
    records[3]["Tags"] = '{"note": "' + "y" * 3 * MIB + '"}'
    bill = write_bill(tmp_path / "bill.csv", records)
    try:
        read_focus_bill([bill], FocusOptions(max_record_bytes=MIB))
    except Exception as error:
        first = str(error).splitlines()[0]
    else:
        raise AssertionError("a 3 MiB record was read under a 1 MiB bound")
    tags = len(records[3]["Tags"]) + records[3]["Tags"].count('"') + 2
    assert first.startswith(f"{bill}:6: Tags: a value of {tags:,} bytes makes its record")
    assert first.endswith(
        "longer than the 1 MiB a CSV record may hold (--max-record-size raises it)"
    )


def test_an_unclosed_quote_is_said(tmp_path: Path) -> None:
    bill = tmp_path / "bill.csv"
    text = HEADER + row_block(3, 0) + b'012345678901,"never closed' + b"," * 10 + b"z" * (2 * MIB)
    bill.write_bytes(text)
    try:
        read_focus_bill([bill], FocusOptions(max_record_bytes=MIB))
    except Exception as error:
        first = str(error).splitlines()[0]
    else:
        raise AssertionError("an unclosed quote of 2 MiB was read under a 1 MiB bound")
    assert first.startswith(f"{bill}:5: BillingAccountName: a value of ")
    assert first.endswith("; a quote opened there is never closed")


def test_a_header_longer_than_a_record_may_be_is_refused_on_line_1(
    cli: Run, tmp_path: Path
) -> None:
    bill = tmp_path / "bill.csv"
    bill.write_bytes(b"x_" + b"h" * (2 * MIB) + b"," + HEADER + row_block(2, 0))
    result = cli("--home", str(tmp_path), "ingest", "focus", str(bill), "--max-record-size", "1Mi")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"{bill}:1: a header of {2 * MIB + 3 + len(HEADER) - 1:,} bytes, longer than the "
        "1 MiB a CSV record may hold (--max-record-size raises it)"
    )


def test_a_long_column_name_within_the_bound_is_a_clean_refusal(cli: Run, tmp_path: Path) -> None:
    """Python's csv module refuses a field over 128 KiB: that was an unexpected error."""
    bill = tmp_path / "bill.csv"
    bill.write_bytes(b"x_" + b"h" * 200_000 + b"," + HEADER)
    result = cli("--home", str(tmp_path), "ingest", "focus", str(bill))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"{bill}:1: the header is not readable as CSV: field larger than field limit (131072)"
    )


def test_sizes_are_kubernetes_quantities_and_a_bad_one_is_exit_2(cli: Run, tmp_path: Path) -> None:
    assert byte_size("--max-csv-size", "4Gi") == 4 << 30
    assert byte_size("--max-csv-size", "1e9") == 10**9
    bill = write_bill(tmp_path / "bill.csv", rows(1))
    for bad in ("lots", "0", "1.5", "-1Mi"):
        result = cli("--home", str(tmp_path), "ingest", "focus", str(bill), "--max-csv-size", bad)
        assert result.exit_code == 2, bad
        assert result.stderr.startswith(f"error: --max-csv-size {bad!r}: "), result.stderr


def test_the_widest_field_is_found_outside_quotes() -> None:
    assert widest_field(b'a,"b,,,,,",cc') == (1, 8)
    assert widest_field(b"a,bb,") == (1, 2)
    assert widest_field(b'"x""y,z",w') == (0, 8)
