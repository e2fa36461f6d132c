"""The audit log's heads, noted outside the database: what proves where the log ends.

A hash chain shows an entry edited in place, but not its newest entries cut off, the
log emptied, or every hash recomputed after an edit: the result is again a valid
chain. So after each append has been committed, its id and hash are appended to a
plain file (`<home>/.costplane/audit-heads`, or `$COSTPLANE_AUDIT_HEADS`), one
`ID HASH` line each, written with `O_APPEND` and fsync'd. `audit verify` then
checks every noted entry against the database: one that is gone or has another
hash is named, the first first.

Written after the commit, never before: a crash between the two leaves an entry the
file does not know yet ("unconfirmed", reported but not a failure), never a noted
entry the database lacks, which would be a false alarm. `O_APPEND` alone suffices,
so the file may carry the append-only attribute (`chattr +a`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from costplane.actions.audit_chain import Anchor
from costplane.errors import ExecutionError, InputError

HEADS_VARIABLE = "COSTPLANE_AUDIT_HEADS"
HEADS_FILE = "audit-heads"
_LINE = re.compile(r"([1-9][0-9]{0,17}) ([0-9a-f]{64})")


def heads_path(data_dir: Path) -> Path:
    """`$COSTPLANE_AUDIT_HEADS` when set (a place the database's writers cannot write),
    else `audit-heads` in the project's data folder."""
    configured = os.environ.get(HEADS_VARIABLE)
    return Path(configured) if configured else data_dir / HEADS_FILE


@dataclass(frozen=True)
class HeadsFile:
    """The file the audit log's heads are appended to, and read back from."""

    path: Path

    def note(self, entry_id: int, entry_hash: str) -> None:
        """Append `ID HASH` and make it durable before the caller goes on."""
        line = f"{entry_id} {entry_hash}\n".encode("ascii")
        try:
            created = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, line)  # one write under O_APPEND: never interleaved
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            if created:
                _sync_directory(self.path.parent)
        except OSError as exc:
            raise ExecutionError(
                f"{self.path}: could not note audit entry {entry_id} outside the database "
                f"({exc.strerror or exc}); the entry is in the log, nothing further was done"
            ) from None

    def noted(self) -> tuple[Anchor, ...] | None:
        """Every head noted, each as an anchor naming its line; None when there is no file."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read the audit heads: {exc.strerror}") from None
        heads = []
        for number, raw in enumerate(text.split(b"\n"), start=1):
            line = raw.decode("ascii", errors="replace").strip()
            if not line or line.startswith("#"):
                continue
            match = _LINE.fullmatch(line)
            if match is None:
                raise InputError(
                    f"{self.path}:{number}: not an audit head (expected 'ID HASH', "
                    f"a number and 64 hex digits): {line[:80]!r}"
                )
            heads.append(Anchor(int(match[1]), match[2], source=f"{self.path.name}:{number}"))
        return tuple(heads)


def _sync_directory(directory: Path) -> None:
    """Make a new file's name durable too (its directory entry), where the system allows."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the data itself is synced
    finally:
        os.close(descriptor)
