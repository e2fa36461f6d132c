"""Kubernetes objects from files: a GitOps repository or an export.

Reads YAML (multi-document) and JSON files, including `kubectl get -o json`
lists (`kind: List` or `*List` with `items`), and yields each object as its
camelCase JSON. A file that does not parse is an input error naming it.

YAML is read as Kubernetes reads it (YAML 1.1 to JSON, as `sigs.k8s.io/yaml`
does): an unquoted timestamp stays the string it was written as, so every object
can be stored as JSON. PyYAML's libyaml loader does it twenty times faster than a
pure-Python one (a GitOps repository holds tens of thousands of documents).
Its events are composed here, though, by PyYAML's Python composer told each node
(`costplane.parse_bounds`): libyaml's own composer recurses in C and crashes on a
file nested 30,000 levels, and nothing bounds what aliases repeat. A JSON file is
held to the same depth.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import yaml

from costplane.errors import InputError
from costplane.parse_bounds import (
    DocumentTooLargeError,
    NodeBudget,
    children,
    read_json,
)
from costplane.sources.object_names import check_object_names

SUFFIXES = (".json", ".yaml", ".yml")
_CPARSER: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # libyaml, when built in
_PARSER: tuple[type[Any], ...] = (
    (_CPARSER,)
    if _CPARSER is not None
    else (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser)
)


class _BoundedComposer(yaml.composer.Composer):
    """PyYAML's composer, telling a `NodeBudget` each node: DocumentTooLargeError past a bound."""

    budget = NodeBudget()

    def compose_document(self) -> Any:
        self.budget = NodeBudget()
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = cast(Any, self).peek_event()  # the parser's, mixed in below
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self.budget.alias(node, str(event.anchor), mark.line, mark.column)
            return node
        if isinstance(event, yaml.ScalarEvent):
            node = super().compose_node(parent, index)
            self.budget.scalar(node)
            return node
        self.budget.enter(mark.line, mark.column)
        node = super().compose_node(parent, index)
        self.budget.closed(node, children(node))
        return node


class _KubernetesLoader(
    _BoundedComposer,  # first: libyaml's parser brings a composer of its own
    *_PARSER,  # type: ignore[misc]
    yaml.constructor.SafeConstructor,
    yaml.resolver.Resolver,
):
    """Safe YAML whose timestamps stay strings, as in Kubernetes' YAML-to-JSON; bounded."""

    def __init__(self, stream: str) -> None:
        if _CPARSER is not None:
            _CPARSER.__init__(self, stream)
        else:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


_KubernetesLoader.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str
)


def manifest_files(directory: Path) -> list[Path]:
    """Every manifest file under `directory`, in a stable order."""
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    return sorted(p for p in directory.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def read_objects(path: Path) -> Iterator[dict[str, Any]]:
    """The Kubernetes objects in one file, lists unwrapped; a name Kubernetes would refuse
    is refused (it would end up in paths: GitOps patches)."""
    for document in _documents(path):
        for obj in _unwrap(document, path):
            check_object_names(obj, str(path))
            yield obj


def _documents(path: Path) -> Iterator[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        yield _json_document(text, path)
        return
    try:
        yield from yaml.load_all(text, Loader=_KubernetesLoader)
    except DocumentTooLargeError as exc:
        raise InputError(f"{path}:{exc.line}:{exc.column}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    except ValueError as exc:  # an integer too long for Python to convert
        raise InputError(f"{path}: a value Costplane cannot read: {exc}") from None


def _json_document(text: str, path: Path) -> Any:
    """The JSON value, refused past MAX_DEPTH (the decoder's recursion ends near 1,000)."""
    return read_json(text, path)


def _unwrap(document: Any, path: Path, where: str = "") -> Iterator[dict[str, Any]]:
    """The objects in one document; `where` names an item inside a list in errors."""
    if document is None:
        return
    kind = document.get("kind") if isinstance(document, dict) else None
    if not isinstance(kind, str) or not kind:
        raise InputError(f"{path}{where}: not a Kubernetes object or list (no 'kind' text)")
    if kind == "List" or kind.endswith("List"):
        items = document.get("items") or []
        if not isinstance(items, list):
            raise InputError(f"{path}{where}: the items of a {kind} must be a list")
        for index, item in enumerate(items):
            yield from _unwrap(_with_kind(item, document), path, f"{where}: items[{index}]")
        return
    yield document


def _with_kind(item: Any, listing: dict[str, Any]) -> Any:
    """`kubectl get` typed lists (PodList) may omit kind/apiVersion on items."""
    if not isinstance(item, dict) or "kind" in item or listing["kind"] == "List":
        return item
    return {"apiVersion": listing.get("apiVersion", "v1"), "kind": listing["kind"][:-4], **item}
