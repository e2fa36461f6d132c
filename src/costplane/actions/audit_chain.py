"""The audit log's hash chain: how an entry is hashed, and how the chain is checked.

`hash = SHA-256(canonical JSON of the entry's fields + prev_hash)`, where the
canonical JSON has sorted keys, no spaces and UTF-8 text, and `prev_hash` is
the previous entry's hash (64 zeros for the first). Ids are consecutive, given
by the writer, and part of the hash: an edited entry no longer matches its
hash, a removed one leaves a gap, an inserted or reordered one breaks a link.

What a chain without a secret cannot show on its own: the newest entries cut
off, the log emptied, or the whole chain recomputed by someone with write
access. Heads noted elsewhere show them: the heads file written on every append
(`audit_heads`) and any `--anchor ID:HASH` kept by hand. A noted entry that is
gone, or has another hash, is named; of a recomputed chain, the first noted
entry that differs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from costplane.state import AuditEntry

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
_ANCHOR = re.compile(r"([1-9][0-9]{0,17}):([0-9a-fA-F]{64})")
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
    noted: int | None = None  # heads read from the heads file; None: no file to check against
    unconfirmed: tuple[int, ...] = ()  # entries after the last noted head

    @property
    def intact(self) -> bool:
        return not self.tampering


@dataclass(frozen=True)
class Anchor:
    """An entry's id and hash noted elsewhere earlier: it must still be in the chain.

    `source` says where it was noted (`--anchor`, or the heads file and its line)."""

    entry_id: int
    hash: str
    source: str = "--anchor"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        match = _ANCHOR.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"an anchor is ID:HASH (a 64-digit SHA-256), not {text[:100]!r}")
        return cls(int(match[1]), match[2].lower())


def verify_chain(
    entries: Sequence[AuditEntry],
    anchors: Sequence[Anchor] = (),
    noted: Sequence[Anchor] | None = None,
) -> Verification:
    """Check every entry (in id order) against its hash, its id and its link, then against
    the heads noted outside the database (`noted`, None when there are none to read) and
    the `anchors` given by hand; problems come in the order of the entries they name."""
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
    named = {t.entry_id for t in found}
    found.extend(
        t
        for t in _checkpoint_problems(ordered, [*anchors, *(noted or ())])
        if t.entry_id not in named
    )
    found.sort(key=lambda t: t.entry_id)
    results = {e.intent_id for e in ordered if e.phase == "result"}
    unfinished = tuple(e.id for e in ordered if e.phase == "intent" and e.id not in results)
    last_noted = max((head.entry_id for head in noted or ()), default=0)
    return Verification(
        entries=len(ordered),
        head_id=previous.id if previous else None,
        head_hash=previous.hash if previous else None,
        tampering=tuple(found),
        unfinished=unfinished,
        noted=None if noted is None else len(noted),
        unconfirmed=() if noted is None else tuple(e.id for e in ordered if e.id > last_noted),
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


def _checkpoint_problems(
    ordered: Sequence[AuditEntry], checkpoints: Sequence[Anchor]
) -> list[Tampering]:
    """The first noted entry whose hash differs, and the noted entries that are gone.

    An edit followed by recomputing every later hash leaves a valid chain: only a hash
    noted before shows it, and every noted entry from the edited one on differs. The
    first of them is the edited entry when the one before it was noted too (the heads
    file notes each); with sparser anchors, the edit lies between the last that matches
    and the first that does not, and the message says so."""
    by_id = {e.id: e for e in ordered}
    last_id = ordered[-1].id if ordered else 0
    problems = []
    checked = sorted((c for c in checkpoints if c.entry_id in by_id), key=lambda c: c.entry_id)
    differing = [c for c in checked if by_id[c.entry_id].hash != c.hash]
    if differing:
        first = differing[0]
        matching = [
            c.entry_id
            for c in checked
            if c.entry_id < first.entry_id and by_id[c.entry_id].hash == c.hash
        ]
        after = max(matching, default=0)
        where = (
            f"entry {first.entry_id} is not the entry that was written"
            if after == first.entry_id - 1
            else f"entry {first.entry_id} is not the entry that was written "
            f"(the rewrite began there or earlier, after entry {after})"
            if after
            else f"entry {first.entry_id} is not the entry that was written "
            "(the rewrite began there or earlier)"
        )
        problems.append(
            Tampering(
                first.entry_id,
                "edited",
                f"{where}: its hash differs from the one noted in {first.source}, "
                "and the entries after it were chained to the new version",
            )
        )
    gone = [c for c in checkpoints if c.entry_id > last_id]
    if gone:
        newest = max(gone, key=lambda c: c.entry_id)
        lost = (
            f"entry {newest.entry_id} is"
            if newest.entry_id == last_id + 1
            else f"entries {last_id + 1}–{newest.entry_id} are"
        )
        ends = "the log is empty" if not ordered else f"the log ends at entry {last_id}"
        how = "emptied" if not ordered else "cut off"
        problems.append(
            Tampering(
                last_id + 1,
                "truncated",
                f"{lost} gone: {ends}, but entry {newest.entry_id} was noted in "
                f"{newest.source} (the log was {how})",
            )
        )
    return problems
