"""Where CSV records start, counted in lines, as an editor shows them."""

from __future__ import annotations

import pytest

from costplane.sources.focus import lines
from costplane.sources.focus.lines import record_lines


def test_one_record_a_line() -> None:
    assert record_lines(b"a,b\n1,2\n3,4\n").tolist() == [1, 2, 3]


def test_no_final_newline_and_crlf() -> None:
    assert record_lines(b"a,b\r\n1,2\r\n3,4").tolist() == [1, 2, 3]


def test_empty_lines_are_not_records() -> None:
    assert record_lines(b"a,b\r\n\r\n1,2\n\n\n3,4\n\n").tolist() == [1, 3, 6]


def test_a_quoted_newline_continues_the_record() -> None:
    data = b'a,b\n"x\ny\n\nz",2\n"say ""hi""\n",3\n4,5\n'
    assert record_lines(data).tolist() == [1, 2, 6, 8]


def test_quotes_are_counted_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b'a\n"1\n2"\n3\n' * 5
    expected = record_lines(data).tolist()
    assert expected == [1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20]
    monkeypatch.setattr(lines, "CHUNK_BYTES", 3)
    assert record_lines(data).tolist() == expected
