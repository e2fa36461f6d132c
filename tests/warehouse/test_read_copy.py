"""The read copy: what a writer publishes on closing, and when a reader may take it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from costplane.warehouse import (
    FACT_TABLES,
    Access,
    Load,
    connect_warehouse,
    read_copy,
    remove_embedded,
)

MONTH = (dt.datetime(2026, 9, 1), dt.datetime(2026, 10, 1))


def signals(scope: str) -> Load:
    empty = FACT_TABLES["business_signals"].schema.to_pyarrow().empty_table()
    return Load("business_signals", "odoo", scope, *MONTH, empty)


def write(database: Path, scope: str) -> None:
    with connect_warehouse(f"duckdb:///{database}") as warehouse:
        warehouse.ingest([signals(scope)])


def scopes(database: Path) -> list[str]:
    access = Access(read_only=True, wait_seconds=0)
    with connect_warehouse(f"duckdb:///{database}", access=access) as warehouse:
        return [load.scope for load in warehouse.loads()]


def test_a_reader_of_a_current_copy_leaves_the_file_free_for_a_writer(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    write(database, "acme")
    assert read_copy.current(database)
    access = Access(read_only=True, wait_seconds=0)
    with connect_warehouse(f"duckdb:///{database}", access=access) as reader:
        assert [load.scope for load in reader.loads()] == ["acme"]
        with connect_warehouse(f"duckdb:///{database}", access=Access(wait_seconds=0)) as writer:
            writer.ingest([signals("globex")])  # the file itself is not open: no conflict
        assert [load.scope for load in reader.loads()] == ["acme"], "one state per reader"
    assert scopes(database) == ["acme", "globex"]


def test_a_reader_opening_after_a_write_reads_it_while_an_earlier_reader_holds_the_old_copy(
    tmp_path: Path,
) -> None:
    """DuckDB would hand the new reader the instance of `<file>.read` this process still
    holds, the copy the write replaced (a server's overlapping requests)."""
    database = tmp_path / "warehouse.duckdb"
    write(database, "acme")
    access = Access(read_only=True, wait_seconds=0)
    with connect_warehouse(f"duckdb:///{database}", access=access) as earlier:
        assert [load.scope for load in earlier.loads()] == ["acme"]
        write(database, "globex")  # publishes a new copy over the one `earlier` holds
        assert read_copy.current(database)
        with connect_warehouse(f"duckdb:///{database}", access=access) as later:
            assert [load.scope for load in later.loads()] == ["acme", "globex"]
            with connect_warehouse(f"duckdb:///{database}", access=access) as third:
                assert [load.scope for load in third.loads()] == ["acme", "globex"]
        assert [load.scope for load in earlier.loads()] == ["acme"], "one state per reader"
    assert scopes(database) == ["acme", "globex"]


def test_publishing_keeps_the_writers_lock(tmp_path: Path) -> None:
    """POSIX drops a process's locks on a file when it closes any descriptor of it."""
    database = tmp_path / "warehouse.duckdb"
    with connect_warehouse(f"duckdb:///{database}") as warehouse:
        warehouse.ingest([signals("acme")])
        assert read_copy.current(database) is False  # this process writes
        read_copy.publish(database)
        other = subprocess.run(
            [sys.executable, "-c", OTHER_WRITER, f"duckdb:///{database}"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert other.returncode == 1, other.stderr
        assert "is in use by the costplane running since" in other.stderr


OTHER_WRITER = """
import sys
from costplane.errors import ExecutionError
from costplane.warehouse import Access, connect_warehouse
try:
    connect_warehouse(sys.argv[1], access=Access(wait_seconds=0))
except ExecutionError as error:
    sys.exit(str(error))
"""


def test_a_copy_that_matches_is_not_copied_again(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    write(database, "acme")
    inode = read_copy.copy_of(database).stat().st_ino
    with connect_warehouse(f"duckdb:///{database}"):
        pass  # opened for writing, nothing written
    assert read_copy.copy_of(database).stat().st_ino == inode
    write(database, "globex")
    assert read_copy.copy_of(database).stat().st_ino != inode
    assert scopes(database) == ["acme", "globex"]


def test_a_reader_in_the_writing_process_reads_through_the_writer(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    write(database, "acme")
    with connect_warehouse(f"duckdb:///{database}") as writer:
        writer.ingest([signals("globex")])
        inode = read_copy.copy_of(database).stat().st_ino
        assert scopes(database) == ["acme", "globex"], "not the copy, which lacks globex"
        assert read_copy.copy_of(database).stat().st_ino == inode, "the writer publishes, not it"
    assert read_copy.current(database)
    assert scopes(database) == ["acme", "globex"]


def test_turned_off_there_is_no_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(read_copy.VARIABLE, "off")
    database = tmp_path / "warehouse.duckdb"
    write(database, "acme")
    assert not read_copy.copy_of(database).exists()
    assert scopes(database) == ["acme"]


def test_removing_a_warehouse_removes_its_copy(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    write(database, "acme")
    remove_embedded(database)
    assert sorted(path.name for path in tmp_path.iterdir()) == []
    write(database, "globex")
    assert scopes(database) == ["globex"], "never the old copy for the new file"
