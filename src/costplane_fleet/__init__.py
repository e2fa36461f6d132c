"""The deterministic synthetic fleet: an Odoo hosting provider's sources, generated offline.

`generate_fleet(FleetSpec(...), out)` writes the catalog, Kubernetes inventory,
Prometheus samples, usage tables, the FOCUS bill, PostgreSQL, Redis, backup and
business data, and `planted.json` (the problems planted on purpose). See
docs/fleet.md for the layout and the problem definitions.
"""

from costplane_fleet.idle_pools import KIND as IDLE_POOLS
from costplane_fleet.planted import KINDS as PLANTED_KINDS
from costplane_fleet.spec import GENERATOR_VERSION, FleetSpec, FleetSummary
from costplane_fleet.write import Progress, generate_fleet

INCIDENTAL_KINDS = (IDLE_POOLS,)
"""Problems the fleet does not plant but has, with their answers in planted.json too: a
pool its sizing left a node too big (only some fleets have one)."""

__all__ = [
    "GENERATOR_VERSION",
    "INCIDENTAL_KINDS",
    "PLANTED_KINDS",
    "FleetSpec",
    "FleetSummary",
    "Progress",
    "generate_fleet",
]
