"""The built-in policy pack: one YAML policy per file in `pack/`, with stable ids.

Loaded with the same loader as anyone's policies (`load_policy_files`); the facts
it names are the built-in providers' (`facts/catalogue.py`). Each policy says what
to do about its findings in its own `fix`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from costplane.governance.action_spec import ActionVocabulary
from costplane.governance.load import LoadedPolicy, load_policy_files

PACK_DIR = Path(__file__).parent / "pack"


def pack_policies(*, actions: ActionVocabulary | None = None) -> list[LoadedPolicy]:
    """Every policy of the built-in pack, in file order (see `load_policy_files`)."""
    return load_policy_files([PACK_DIR], actions=actions)


def policies_with_pack(
    directories: Iterable[Path],
    *,
    include_pack: bool = True,
    actions: ActionVocabulary | None = None,
) -> list[LoadedPolicy]:
    """The pack (unless excluded) and the user's policies; a user policy with a pack
    policy's id replaces it. Every file is checked before anything runs, its actions
    against `actions` when given."""
    own = load_policy_files(directories, actions=actions) if directories else []
    if not include_pack:
        return own
    replaced = {loaded.policy.id for loaded in own}
    pack = pack_policies(actions=actions)
    return [loaded for loaded in pack if loaded.policy.id not in replaced] + own
