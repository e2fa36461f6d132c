"""The audit log of applied actions: its hash chain verified, its newest entries read.

Verifying checks the chain against the heads noted outside the database (the heads
file) and any anchors the reader noted earlier; it reads the log, never writes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costplane.actions import Anchor, AuditLog, HeadsFile, Verification, heads_path
from costplane.service.project import Project
from costplane.state import AuditEntry


@dataclass(frozen=True)
class AuditCheck:
    verification: Verification
    heads_file: Path
    """Where the heads were noted (`.costplane/audit-heads` or $COSTPLANE_AUDIT_HEADS)."""


def verify_audit(project: Project, anchors: Sequence[Anchor] = ()) -> AuditCheck:
    heads = HeadsFile(heads_path(project.settings.data_dir))
    verification = AuditLog(project.state(create=False), heads).verify(list(anchors))
    return AuditCheck(verification, heads.path)


def audit_entries(project: Project, limit: int | None) -> list[dict[str, Any]]:
    """The newest entries first (all of them without a limit), each with every field
    (patch, before and after parsed)."""
    log = AuditLog(project.state(create=False))
    return [entry_document(entry) for entry in log.entries(limit=limit)]


JSON_FIELDS = ("patch", "before", "after")
"""Stored as the canonical JSON text that was hashed; documents carry them parsed."""


def entry_document(entry: AuditEntry) -> dict[str, Any]:
    """Every column of the entry, in the table's order."""
    document = {column.key: getattr(entry, column.key) for column in AuditEntry.__table__.columns}
    return {**document, **{key: _parsed(document[key]) for key in JSON_FIELDS}}


def _parsed(text: str | None) -> Any:
    if text is None or text == "delete":
        return text
    return json.loads(text)
