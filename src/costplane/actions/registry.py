"""The registry of action types: built-in ones, and any a user adds.

An action type turns one target into a `Change` (or a `Skipped` saying why
not) and, when applied, carries the change out. Users add their own by
subclassing `Action` and calling `register_action`, or from another package
through the `costplane.actions` entry point group (loaded on first lookup).

What an action takes is its `options` model (pydantic, nothing extra allowed): a
policy's `actions: [{type: NAME, ...}]` is checked against `action_options()` when
the policy loads, and `--param` names are the model's fields.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, ClassVar, Self

from pydantic import BaseModel, ConfigDict

from costplane.actions.change import Applied, Change, Skipped
from costplane.actions.target import Target
from costplane.errors import InputError

if TYPE_CHECKING:
    from decimal import Decimal

    from costplane.actions.cluster import Cluster
    from costplane.catalog import PriceSheet

ENTRY_POINT_GROUP = "costplane.actions"


class ActionOptions(BaseModel):
    """What an action takes; subclasses declare typed fields, each with its help as
    `description`. Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(ABC):
    """One kind of action. Subclasses set `name`, `summary` and `kinds`, and plan.

    `options` declares what it takes; `parameters` (name → help, for `--param` and
    `costplane act list`) follows from it unless the action sets its own. `batched`
    actions (a notification) are executed once for all their changes; the
    others once per change, each one audited before and after it runs.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    kinds: ClassVar[frozenset[str]] = frozenset()  # the kinds it acts on; empty: any kind
    options: ClassVar[type[ActionOptions]] = ActionOptions
    parameters: ClassVar[Mapping[str, str]] = {}
    batched: ClassVar[bool] = False
    audited: ClassVar[bool] = True
    touches_cluster: ClassVar[bool] = True  # False: applying needs no cluster (report, notify)
    namespace_wide: ClassVar[bool] = False  # True: a Namespace finding means its objects (sleep)

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "parameters" not in cls.__dict__:
            fields = cls.options.model_fields
            cls.parameters = {name: field.description or "" for name, field in fields.items()}

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Self:
        """An instance from `--param key=value` pairs; actions with parameters override."""
        refuse_unknown(cls, params)
        return cls()

    @abstractmethod
    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        """What this action would do to `target` at `now` (an aware UTC time)."""

    def execute(self, changes: Sequence[Change], cluster: Cluster | None) -> list[Applied]:
        """Carry the changes out, one `Applied` per change. Default: patch or delete each."""
        if cluster is None:
            raise InputError(f"{self.name}: applying needs a cluster (--kubeconfig)")
        return [cluster.apply(change) for change in changes]

    def saving(self, target: Target, prices: PriceSheet) -> Decimal | None:
        """What changing `target` saves a month at list prices, for targets no finding
        priced; None: nothing this action can price (the default)."""
        return None

    def handles(self, target: Target) -> bool:
        return not self.kinds or target.kind in self.kinds


def refuse_unknown(action: type[Action], params: Mapping[str, str]) -> None:
    unknown = sorted(set(params) - set(action.parameters))
    if unknown:
        known = ", ".join(sorted(action.parameters)) or "none"
        raise InputError(
            f"{action.name}: unknown parameter {', '.join(unknown)} (it takes: {known})"
        )


_ACTIONS: dict[str, type[Action]] = {}
_plugins_loaded = False


def register_action(action: type[Action]) -> type[Action]:
    """Add an action type (usable as a class decorator); a name is registered once."""
    existing = _ACTIONS.get(action.name)
    if existing is not None and existing is not action:
        raise ValueError(f"action {action.name!r} is already registered by {existing.__name__}")
    _ACTIONS[action.name] = action
    return action


def action_types() -> dict[str, type[Action]]:
    """Every registered action type by name, plug-ins included, sorted by name."""
    _load_plugins()
    return dict(sorted(_ACTIONS.items()))


def action_options() -> dict[str, type[BaseModel]]:
    """Each action type's options model, by name: what policies are checked against when
    they load (governance takes it from its caller and never imports actions)."""
    return {name: action.options for name, action in action_types().items()}


def make_action(name: str, params: Mapping[str, str] | None = None) -> Action:
    """The action `name` configured with `params`; an unknown name is an input error."""
    types = action_types()
    if name not in types:
        raise InputError(f"unknown action {name!r}; known: {', '.join(types)}")
    return types[name].from_params(params or {})


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        if isinstance(loaded, type) and issubclass(loaded, Action):
            register_action(loaded)
