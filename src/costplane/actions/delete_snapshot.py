"""`delete-snapshot`: delete a VolumeSnapshot (its content goes as its deletion policy says)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from costplane.actions.change import Change, Skipped, delete_change
from costplane.actions.registry import Action, register_action
from costplane.actions.savings import snapshot_storage
from costplane.actions.target import Target
from costplane.catalog import PriceSheet


@register_action
class DeleteSnapshot(Action):
    name = "delete-snapshot"
    summary = "delete VolumeSnapshots (stale ones, beyond the class's retention)"
    kinds = frozenset({"VolumeSnapshot"})

    def saving(self, target: Target, prices: PriceSheet) -> Decimal | None:
        return snapshot_storage(target, prices)

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        if target.metadata.get("deletionTimestamp"):
            return Skipped.of(target, self.name, "already being deleted")
        created = target.metadata.get("creationTimestamp")
        return delete_change(
            target, self.name, f"delete (created {created})" if created else "delete"
        )
