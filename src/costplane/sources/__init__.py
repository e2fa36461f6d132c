"""Sources: readers of the real systems (and of the fleet's files) into warehouse loads."""

from costplane.sources.collector import Collected
from costplane.sources.fleet import fleet_loads, read_manifest, verify_files
from costplane.sources.ingest import ingest, open_and_ingest, restore
from costplane.sources.inventory import inventory_table
from costplane.sources.manifests import manifest_files, read_objects

__all__ = [
    "Collected",
    "fleet_loads",
    "ingest",
    "inventory_table",
    "manifest_files",
    "open_and_ingest",
    "read_manifest",
    "read_objects",
    "restore",
    "verify_files",
]
