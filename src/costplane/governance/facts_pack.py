"""Declares every fact the built-in pack names, by importing the modules that declare them.

A policy naming a fact that is not declared fails when it loads, so anything that
loads the pack's files (`costplane govern`, `costplane policy validate`) imports this
first. The providers themselves are built per run (`govern.py`).
"""

from __future__ import annotations

from costplane.governance import (
    facts_backups,
    facts_caches,
    facts_databases,
    facts_inventory,
    facts_ownership,
    facts_services,
    facts_usage,
)

DECLARING_MODULES = (
    facts_backups,
    facts_caches,
    facts_databases,
    facts_inventory,
    facts_ownership,
    facts_services,
    facts_usage,
)
