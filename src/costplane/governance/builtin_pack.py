"""The built-in policy pack: one YAML policy per file in `pack/`, with stable ids.

Loaded with the same loader as anyone's policies (`load_policy_files`), after the
facts the pack names are declared (importing the providers declares them). Each
policy's `fix` (what to do about a finding) is kept in `pack/fixes.toml` until the
policy language has a `fix` key of its own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import costplane.governance.facts_pack  # noqa: F401  (declares the facts the pack names)
from costplane.governance.load import LoadedPolicy, load_policy_files

PACK_DIR = Path(__file__).parent / "pack"
FIXES_FILE = PACK_DIR / "fixes.toml"


def pack_policies() -> list[LoadedPolicy]:
    """Every policy of the built-in pack, in file order."""
    return load_policy_files([PACK_DIR])


def policies_with_pack(
    directories: Iterable[Path], *, include_pack: bool = True
) -> list[LoadedPolicy]:
    """The pack (unless excluded) and the user's policies; a user policy with a pack
    policy's id replaces it. Every file is checked before anything runs."""
    own = load_policy_files(directories) if directories else []
    if not include_pack:
        return own
    replaced = {loaded.policy.id for loaded in own}
    return [loaded for loaded in pack_policies() if loaded.policy.id not in replaced] + own


@cache
def pack_fixes() -> Mapping[str, str]:
    """Policy id -> what to do about its findings."""
    document = tomllib.loads(FIXES_FILE.read_text(encoding="utf-8"))
    return {policy_id: str(entry["fix"]) for policy_id, entry in document.items()}


def fix_for(policy_id: str, policy: object = None) -> str:
    """The fix of a policy: its own `fix` if the language has one, else the pack's."""
    own = getattr(policy, "fix", None)
    if isinstance(own, str) and own:
        return own
    return pack_fixes().get(policy_id, "")
