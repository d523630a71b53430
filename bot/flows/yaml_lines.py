"""Load YAML while remembering which line each key and item came from.

pydantic reports errors by path (`nodes -> intro -> buttons -> 0 -> goto`); this
turns that path back into a line number so an admin sees `ehcp.yml:14`.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Return the parsed document and a map from key path to 1-based line."""
    data, lines = _parsed(text)
    # A copy, so whoever validates or changes it never touches the cached parse.
    return copy.deepcopy(data), dict(lines)


# Every service start (and every test's app) parses the same flow files; the pure
# Python parser is kept for its error messages, so the parse is remembered instead.
@functools.lru_cache(maxsize=128)
def _parsed(text: str) -> tuple[Any, dict[Path, int]]:
    try:
        # Aliases first: `&d [*d]` or a few hundred bytes of nested ones would expand
        # without limit below (content never needs them).
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise YamlError("YAML aliases (*name) are not allowed here", line)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or str(exc).splitlines()[0]
        hint = ""
        if "expected ',' or '}'" in problem or "mapping values" in problem:
            hint = " (put text containing ? : or , in quotes)"
        raise YamlError(f"not valid YAML: {problem}{hint}", line) from None
    lines: dict[Path, int] = {}
    if root is not None:
        _walk(root, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, str(key_node.value))
            lines[key_path] = key_node.start_mark.line + 1
            _walk(value_node, key_path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def line_for(lines: dict[Path, int], path: Path) -> int:
    """The line of the deepest known prefix of `path` (errors can name missing keys)."""
    for end in range(len(path), -1, -1):
        found = lines.get(tuple(path[:end]))
        if found is not None:
            return found
    return 1
