"""The audit log's hash chain: how an entry is hashed, and how the chain is checked.

`hash = SHA-256(canonical JSON of the entry's fields + prev_hash)`, where the
canonical JSON has sorted keys, no spaces and UTF-8 text, and `prev_hash` is
the previous entry's hash (64 zeros for the first). Ids are consecutive, given
by the writer, and part of the hash: an edited entry no longer matches its
hash, a removed one leaves a gap, an inserted or reordered one breaks a link.

What a chain without a secret cannot show on its own: the newest entries cut
off, or the whole chain recomputed by someone with write access. Keep the head
(`costplane audit verify` prints it) somewhere else, and check it later with
`--anchor ID:HASH`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from costplane.state.models import AuditEntry

GENESIS = "0" * 64
HASHED_FIELDS = (
    "id",
    "recorded_at",
    "actor",
    "phase",
    "intent_id",
    "action",
    "api_version",
    "kind",
    "namespace",
    "name",
    "patch",
    "before",
    "after",
    "monthly_amount",
    "currency",
    "result",
    "detail",
    "prev_hash",
)
Problem = Literal["edited", "removed", "inserted", "truncated"]


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no whitespace, UTF-8 (what is hashed and stored)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry) -> str:
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    fields["recorded_at"] = entry.recorded_at.isoformat(timespec="microseconds")
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Tampering:
    """One place where the log is not as it was written."""

    entry_id: int
    problem: Problem
    message: str


@dataclass(frozen=True)
class Verification:
    """The outcome of recomputing the chain."""

    entries: int
    head_id: int | None
    head_hash: str | None
    tampering: tuple[Tampering, ...]
    unfinished: tuple[int, ...]  # intents with no result: the run stopped while acting

    @property
    def intact(self) -> bool:
        return not self.tampering


@dataclass(frozen=True)
class Anchor:
    """An entry's id and hash noted elsewhere earlier: it must still be in the chain."""

    entry_id: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        entry_id, _, value = text.partition(":")
        if not entry_id.isdigit() or len(value) != 64:
            raise ValueError(f"an anchor is ID:HASH (a 64-digit SHA-256), not {text!r}")
        return cls(int(entry_id), value.lower())


def verify_chain(entries: Sequence[AuditEntry], anchors: Sequence[Anchor] = ()) -> Verification:
    """Check every entry (in id order) against its hash, its id and its link."""
    ordered = sorted(entries, key=lambda e: e.id)
    by_hash = {e.hash: e for e in ordered}
    found: list[Tampering] = []
    previous: AuditEntry | None = None
    for entry in ordered:
        if entry_hash(entry) != entry.hash:
            found.append(
                Tampering(
                    entry.id,
                    "edited",
                    f"entry {entry.id}: its content does not match "
                    "its hash (edited, or written by something other than Costplane)",
                )
            )
        found.extend(_link_problems(entry, previous, by_hash))
        previous = entry
    found.extend(_anchor_problems(ordered, anchors))
    results = {e.intent_id for e in ordered if e.phase == "result"}
    unfinished = tuple(e.id for e in ordered if e.phase == "intent" and e.id not in results)
    return Verification(
        entries=len(ordered),
        head_id=previous.id if previous else None,
        head_hash=previous.hash if previous else None,
        tampering=tuple(found),
        unfinished=unfinished,
    )


def _link_problems(
    entry: AuditEntry, previous: AuditEntry | None, by_hash: dict[str, AuditEntry]
) -> list[Tampering]:
    expected_id = previous.id + 1 if previous else 1
    if entry.id != expected_id:
        missing = (
            f"entry {expected_id}"
            if entry.id == expected_id + 1
            else f"entries {expected_id}–{entry.id - 1}"
        )
        return [
            Tampering(
                expected_id, "removed", f"{missing} missing (removed) before entry {entry.id}"
            )
        ]
    expected_hash = previous.hash if previous else GENESIS
    if entry.prev_hash == expected_hash:
        return []
    linked = by_hash.get(entry.prev_hash)
    if linked is not None or entry.prev_hash == GENESIS:
        after = f"entry {linked.id}" if linked else "the start of the log"
        return [
            Tampering(
                entry.id,
                "inserted",
                f"entry {entry.id} was chained after {after}, "
                f"not after entry {expected_id - 1}: entries were inserted or reordered",
            )
        ]
    assert previous is not None  # the first entry links to GENESIS or is caught above
    return [
        Tampering(
            previous.id,
            "edited",
            f"entry {previous.id} was rewritten: entry {entry.id} "
            "was chained to a different version of it",
        )
    ]


def _anchor_problems(ordered: Sequence[AuditEntry], anchors: Sequence[Anchor]) -> list[Tampering]:
    by_id = {e.id: e for e in ordered}
    problems = []
    for anchor in anchors:
        entry = by_id.get(anchor.entry_id)
        if entry is None:
            problems.append(
                Tampering(
                    anchor.entry_id,
                    "truncated",
                    f"entry {anchor.entry_id} (anchored) is gone: the log was cut off or emptied",
                )
            )
        elif entry.hash != anchor.hash:
            problems.append(
                Tampering(
                    anchor.entry_id,
                    "edited",
                    f"entry {anchor.entry_id} no "
                    "longer has the anchored hash: the chain was rewritten from there",
                )
            )
    return problems
