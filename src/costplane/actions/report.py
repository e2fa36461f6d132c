"""`report`: change nothing; list the targets and their money in the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from costplane.actions.change import Applied, Change, Skipped, no_change
from costplane.actions.registry import Action, register_action
from costplane.actions.target import Target

if TYPE_CHECKING:
    from costplane.actions.cluster import Cluster


@register_action
class Report(Action):
    name = "report"
    summary = "change nothing: list each target and the money it concerns"
    audited = False  # nothing happens, so there is nothing to audit
    touches_cluster = False

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        return no_change(target, self.name, target.reason or "reported")

    def execute(self, changes: Sequence[Change], cluster: Cluster | None) -> list[Applied]:
        return [Applied("reported")] * len(changes)
