"""Facts from `database_stats`, read from each database's latest snapshot (at or before the
evaluation instant): its size, its unused indexes, Odoo attachments kept in the database,
and Odoo's failed outgoing mail.

The subject is a `database` resource (`ResourceRef.cluster` is its server, `name`
the database). An index is unused when it has had no scan since the statistics
were reset; indexes that enforce a constraint (primary key, unique, exclusion) are
never counted, since dropping them would change what the database accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir

from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import bounds, exact
from costplane.governance.inventory.resources import ResourceRef


class DatabaseFacts(WarehouseProvider):
    """Size, index, attachment and mail facts about databases, one query per instant."""

    FACTS = (
        FactDefinition("database_size_bytes", FactType.BYTES, "the database's size on disk"),
        FactDefinition(
            "unused_index_bytes",
            FactType.BYTES,
            "bytes of the database's indexes never scanned since the statistics reset "
            "(constraint indexes excluded)",
        ),
        FactDefinition("unused_indexes", FactType.NUMBER, "how many such indexes there are"),
        FactDefinition(
            "attachment_db_bytes",
            FactType.BYTES,
            "bytes of Odoo attachments stored in the database (ir_attachment.db_datas) "
            "rather than in the file store",
        ),
        FactDefinition(
            "failed_mail",
            FactType.NUMBER,
            "Odoo outgoing mail in state exception (mail_mail), as last collected",
        ),
    )

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        _, end = bounds(request)
        stats = self.latest(end)
        by_name: dict[str, dict[str, Any]] = {}
        for (_, database), found in stats.items():
            by_name.setdefault(database, found)
        answers: list[object] = []
        for ref in subjects:
            if ref.kind != "database":
                answers.append(None)
                continue
            row = stats.get((ref.cluster, ref.name)) if ref.cluster else by_name.get(ref.name)
            answers.append(_value(request.name, row))
        return answers

    def latest(self, end: dt.datetime) -> dict[tuple[str, str], dict[str, Any]]:
        """Per (server, database): its identity and figures as of `end` (naive UTC)."""
        return self.cache.get(end, lambda: self._latest(end))

    def _latest(self, end: dt.datetime) -> dict[tuple[str, str], dict[str, Any]]:
        stats = latest_rows(self.warehouse.table("database_stats"), end, ("server", "database"))
        kind = stats.relation_kind
        unused = (kind == "index") & (stats.index_scans == 0)
        table = stats.group_by(["server", "database"]).aggregate(
            tenant=stats.tenant.max(),
            environment=stats.environment.max(),
            taken_at=stats.taken_at.max(),
            database_size_bytes=stats.size_bytes.max(where=kind == "database"),
            unused_index_bytes=stats.size_bytes.sum(where=unused),
            unused_indexes=kind.count(where=unused),
            attachment_db_bytes=stats.db_bytes.sum(where=kind == "attachments"),
            attachments_known=kind.count(where=kind == "attachments"),
            failed_mail=stats.row_count.sum(where=kind == "failed_mail"),
            failed_mail_known=kind.count(where=kind == "failed_mail"),
        )
        return {(row["server"], row["database"]): row for row in table.to_pyarrow().to_pylist()}


def latest_rows(table: ir.Table, end: dt.datetime, identity: tuple[str, ...]) -> ir.Table:
    """The rows of each identity's newest snapshot taken at or before `end`."""
    taken = table.filter(table.taken_at <= end)
    newest = taken.group_by(list(identity)).aggregate(newest=taken.taken_at.max())
    predicates = [taken[k] == newest[k] for k in identity]
    joined = taken.join(newest, [*predicates, taken.taken_at == newest.newest])
    return joined.select(*(taken[c] for c in table.columns))


def _value(name: str, row: dict[str, Any] | None) -> Decimal | None:
    if row is None:
        return None
    if name == "unused_index_bytes":
        return exact(row[name]) or Decimal(0)
    if name == "attachment_db_bytes":
        return (exact(row[name]) or Decimal(0)) if row["attachments_known"] else None
    if name == "failed_mail":
        return (exact(row[name]) or Decimal(0)) if row["failed_mail_known"] else None
    return exact(row[name])


__all__ = ["DatabaseFacts", "latest_rows"]
