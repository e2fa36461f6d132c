"""pgBackRest's `info --output=json`, read into stanzas and their backups.

The document is a list of stanzas. Each has a `status` (code 0 ok, 2 no valid
backup; other codes mean the stanza or one of its repositories could not be
read, and `repo[].status` says why), the cluster history `db`, the WAL
`archive` range per cluster, and its `backup`s: `label`, `type` (full, diff,
incr), `timestamp.start/stop` (Unix seconds), `info.size` (the cluster's
size), `info.delta` (the cluster bytes this backup copied),
`info.repository.size` and `.delta` (the same, as stored: compressed), the
repository `database.repo-key`, and `error` (page checksum errors found).
`info --set LABEL` adds `database-ref`, the databases in that backup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from costplane.errors import InputError

READABLE_STATUS = frozenset({0, 2})
"""Stanza status codes that still list the stanza: ok, and no valid backup yet."""


@dataclass(frozen=True)
class PgBackRestBackup:
    label: str
    type: str
    started_at: dt.datetime
    finished_at: dt.datetime
    repository_delta_bytes: int
    """What this backup added to the repository: its size as kept there."""
    repository_size_bytes: int
    """The stored size of everything a restore of this backup needs (the backup set)."""
    database_bytes: int
    repo_key: int
    checksum_error: bool
    databases: tuple[str, ...]
    """`database-ref`: present only in `info --set` output."""


@dataclass(frozen=True)
class Stanza:
    name: str
    status_code: int
    status_message: str
    problems: tuple[str, ...]
    """Why the stanza or a repository could not be read, one line each."""
    backups: tuple[PgBackRestBackup, ...]
    archive_min: str | None
    archive_max: str | None
    postgres_version: str | None

    @property
    def databases(self) -> frozenset[str]:
        """The databases any listed backup holds (known when `database-ref` was read)."""
        return frozenset(name for backup in self.backups for name in backup.databases)


class _Fields:
    """Reads one JSON value by path, naming the path in the error when it is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: str, expected: str, value: object) -> InputError:
        shown = repr(value) if len(repr(value)) < 60 else type(value).__name__
        return InputError(f"{self.source}: {path}: expected {expected}, found {shown}")

    def get(self, node: Any, path: str, key: str, kind: type, expected: str) -> Any:
        if not isinstance(node, dict):
            raise self.error(path, "an object", node)
        value = node.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"{path}.{key}", expected, value)
        return value

    def text(self, node: Any, path: str, key: str) -> str:
        value: str = self.get(node, path, key, str, "a string")
        return value

    def integer(self, node: Any, path: str, key: str) -> int:
        value: int = self.get(node, path, key, int, "an integer")
        return value

    def obj(self, node: Any, path: str, key: str) -> dict[str, Any]:
        value: dict[str, Any] = self.get(node, path, key, dict, "an object")
        return value

    def items(self, node: Any, path: str, key: str) -> list[Any]:
        if isinstance(node, dict) and node.get(key) is None:
            return []
        value: list[Any] = self.get(node, path, key, list, "a list")
        return value


def parse_info(document: Any, source: str) -> list[Stanza]:
    """The stanzas of an `info --output=json` document; `source` names it in errors."""
    fields = _Fields(source)
    if not isinstance(document, list):
        raise fields.error("the document", "a list of stanzas", document)
    return [_stanza(fields, node, f"[{i}]") for i, node in enumerate(document)]


def _stanza(fields: _Fields, node: Any, path: str) -> Stanza:
    name = fields.text(node, path, "name")
    status = fields.obj(node, path, "status")
    code = fields.integer(status, f"{path}.status", "code")
    message = fields.text(status, f"{path}.status", "message")
    backups = tuple(
        _backup(fields, item, f"{path}.backup[{i}]")
        for i, item in enumerate(fields.items(node, path, "backup"))
    )
    archive_min, archive_max = _archive_range(fields, node, path)
    clusters = fields.items(node, path, "db")
    version = clusters[-1].get("version") if clusters and isinstance(clusters[-1], dict) else None
    return Stanza(
        name=name,
        status_code=code,
        status_message=message,
        problems=_problems(fields, node, path, code, message),
        backups=backups,
        archive_min=archive_min,
        archive_max=archive_max,
        postgres_version=str(version) if version is not None else None,
    )


def _backup(fields: _Fields, node: Any, path: str) -> PgBackRestBackup:
    timestamp = fields.obj(node, path, "timestamp")
    info = fields.obj(node, path, "info")
    repository = fields.obj(info, f"{path}.info", "repository")
    database = fields.obj(node, path, "database")
    kind = fields.text(node, path, "type")
    if kind not in {"full", "diff", "incr"}:
        raise fields.error(f"{path}.type", "full, diff or incr", kind)
    refs = fields.items(node, path, "database-ref")
    return PgBackRestBackup(
        label=fields.text(node, path, "label"),
        type=kind,
        started_at=_moment(fields.integer(timestamp, f"{path}.timestamp", "start")),
        finished_at=_moment(fields.integer(timestamp, f"{path}.timestamp", "stop")),
        repository_delta_bytes=fields.integer(repository, f"{path}.info.repository", "delta"),
        repository_size_bytes=fields.integer(repository, f"{path}.info.repository", "size"),
        database_bytes=fields.integer(info, f"{path}.info", "size"),
        repo_key=fields.integer(database, f"{path}.database", "repo-key"),
        checksum_error=node.get("error") is True,
        databases=tuple(
            fields.text(ref, f"{path}.database-ref[{i}]", "name") for i, ref in enumerate(refs)
        ),
    )


def _archive_range(fields: _Fields, node: Any, path: str) -> tuple[str | None, str | None]:
    """The WAL range of the newest cluster in the archive (the one backups run against)."""
    ranges = fields.items(node, path, "archive")
    if not ranges:
        return None, None
    newest = ranges[-1] if isinstance(ranges[-1], dict) else {}
    low, high = newest.get("min"), newest.get("max")
    return (low if isinstance(low, str) else None, high if isinstance(high, str) else None)


def _problems(fields: _Fields, node: Any, path: str, code: int, message: str) -> tuple[str, ...]:
    problems = []
    for i, repo in enumerate(fields.items(node, path, "repo")):
        status = fields.obj(repo, f"{path}.repo[{i}]", "status")
        repo_code = fields.integer(status, f"{path}.repo[{i}].status", "code")
        if repo_code not in READABLE_STATUS:
            reason = _first_line(fields.text(status, f"{path}.repo[{i}].status", "message"))
            problems.append(f"repo{repo.get('key', i + 1)}: {reason}")
    if code not in READABLE_STATUS and not problems:
        problems.append(_first_line(message))
    return tuple(problems)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def _moment(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def newest(backups: Sequence[PgBackRestBackup]) -> PgBackRestBackup | None:
    return max(backups, key=lambda b: b.finished_at, default=None)
