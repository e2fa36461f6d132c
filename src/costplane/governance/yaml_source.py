"""A policy file's YAML, with the position of every key and value (`costplane.yaml_source`,
shared with the catalog). Dates and times stay the text they were written as: a policy
compares them as text or by age."""

from __future__ import annotations

import re

from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from costplane.parse_bounds import DocumentTooLargeError
from costplane.yaml_source import START, Position, SourceMap, exact_yaml, mark_position


class YamlSyntaxError(ValueError):
    """The text is not YAML (or repeats a key); `position` says where."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.position = position


def read_yaml(text: str) -> tuple[object, SourceMap]:
    """The document as plain values, and its source map; YamlSyntaxError when not YAML."""
    try:
        document = exact_yaml(timestamps="text").load(text)
    except DocumentTooLargeError as exc:
        raise YamlSyntaxError(str(exc), (exc.line, exc.column)) from None
    except DuplicateKeyError as exc:
        found = re.search(r'duplicate key "(.*?)"', str(exc.problem))
        key = found[1] if found else "?"
        message = f"duplicate key {key!r}: a key may appear only once in a mapping"
        raise YamlSyntaxError(message, mark_position(exc.problem_mark)) from None
    except MarkedYAMLError as exc:
        message = f"YAML syntax error: {exc.problem or exc.context}"
        position = mark_position(exc.problem_mark or exc.context_mark)
        raise YamlSyntaxError(message, position) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", START) from None
    source = SourceMap()
    return source.plain(document), source
