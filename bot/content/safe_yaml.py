"""YAML for files people edit: no aliases, so no alias bombs.

PyYAML's safe loader already refuses code, but `&a [*a]` (a recursive alias)
or a few hundred bytes of nested aliases expand without limit and freeze
whatever loads them. Content never needs aliases, so they are refused with a
one-line message naming the file.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlRefused(ValueError):
    """The text is not YAML we accept; the message names the file and line."""


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            line = event.start_mark.line + 1 if event.start_mark else 0
            raise YamlRefused(f"line {line}: YAML aliases (*name) are not allowed here")
        return super().compose_node(parent, index)


# libyaml parses content about ten times faster than pure Python; every service and
# test start loads all of flows/ and knowledge/, so it matters.
_FAST_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else None


def load_without_aliases(text: str) -> Any:
    """Parse YAML, refusing aliases (YamlRefused) before anything is expanded."""
    if _FAST_LOADER is None:
        return yaml.load(text, Loader=_NoAliasLoader)
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 0
            raise YamlRefused(f"line {line}: YAML aliases (*name) are not allowed here")
    return yaml.load(text, Loader=_FAST_LOADER)


def safe_load(text: str, where: str) -> Any:
    """Load YAML text; raise YamlRefused with `where` on any problem."""
    try:
        return load_without_aliases(text)
    except YamlRefused as refused:
        raise YamlRefused(f"{where}: {refused}") from None
    except yaml.YAMLError as exc:
        raise YamlRefused(f"{where}: not valid YAML: {exc}") from None
