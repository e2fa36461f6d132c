"""The month's money before and after a class change.

Before is the allocation's: the tenant's fee (its contract, prorated over the allocated
days as the margin report does) and its allocated cost, split in its direct part and the
rest it carries (shared, spread idle and overhead: its share of shared cost).

After applies the same model to the new class's quota and sizing:

- rendered = each class priced from the price sheet as placement prices a class
  (`costplane.insight.placement`: quota CPU x CPU price + quota memory x memory price +
  databases + file store + the dedicated overhead, for the allocated days);
- direct after = direct before + (rendered new class - rendered current class), at least
  zero: the allocation's direct cost moves by what the quota and sizing change;
- shared after = shared before x direct after / direct before when the catalog spreads
  shared cost `weighted` (by direct cost, the other tenants' weights held), else shared
  before (`even`: every tenant carries the same share whatever its size);
- fee after = the new class's monthly fee x contract days / days in the month (a class
  change is a new contract at the list fee);
- margin = fee - cost, before and after.

Every amount is to the cent. Moving a tenant to its own class changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costplane.catalog import SharedRule
from costplane.money import cents

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CostSplit:
    direct: Decimal
    shared: Decimal
    """Shared, spread idle and overhead: what the tenant carries of what others share."""

    @property
    def total(self) -> Decimal:
        return self.direct + self.shared


def cost_after(before: CostSplit, rendered_change: Decimal, shared_rule: SharedRule) -> CostSplit:
    """The split after the rendered cost changes by `rendered_change`."""
    direct = max(ZERO, cents(before.direct + rendered_change))
    shared = before.shared
    if shared_rule is SharedRule.WEIGHTED and before.direct > 0:
        shared = cents(before.shared * direct / before.direct)
    return CostSplit(direct, shared)
