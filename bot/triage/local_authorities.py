"""England's local authorities, found from whatever a parent types.

"hull", "Kingston upon Hull", "BCP" and "Brighton" all find their council; a
typo like "Manchestr" still does. When several could be meant, the few best are
offered as buttons.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.safe_yaml import load_without_aliases

_NOISE = re.compile(
    r"\b(?:council|county|borough|city|metropolitan|district|royal|of|the|in|i live|we live|"
    r"we're|we are|im|i'm|area|la|local authority)\b"
)


def _key(text: str) -> str:
    folded = text.casefold().replace("&", " and ").replace("-", " ")
    folded = re.sub(r"[^\w\s]", " ", folded)
    folded = _NOISE.sub(" ", folded)
    return re.sub(r"\s+", " ", folded).strip()


@dataclass(frozen=True, slots=True)
class LocalAuthority:
    name: str
    aliases: tuple[str, ...] = ()
    region: str = ""


@dataclass(slots=True)
class LocalAuthorities:
    authorities: list[LocalAuthority] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for position, authority in enumerate(self.authorities):
            for label in (authority.name, *authority.aliases):
                self._index.setdefault(_key(label), position)

    def find(self, typed: str, limit: int = 3) -> list[LocalAuthority]:
        """Best matches first; exactly one when the typed text is unambiguous."""
        key = _key(typed)
        if not key:
            return []
        if key in self._index:
            return [self.authorities[self._index[key]]]
        # Whole words first ("tyneside" -> North and South Tyneside), then typos.
        found = [
            position
            for label, position in self._index.items()
            if re.search(rf"\b{re.escape(key)}\b", label)
        ]
        if not found:
            labels = list(self._index)
            close = difflib.get_close_matches(key, labels, n=limit * 2, cutoff=0.75)
            found = [self._index[label] for label in close]
        unique = list(dict.fromkeys(found))
        return [self.authorities[p] for p in unique[:limit]]

    def neighbours(self, name: str) -> set[str]:
        """The other councils in the same region (empty if the region is not known)."""
        home = self.by_name(name)
        if home is None or not home.region:
            return set()
        return {a.name for a in self.authorities if a.region == home.region and a != home}

    def by_name(self, name: str) -> LocalAuthority | None:
        position = self._index.get(_key(name))
        return self.authorities[position] if position is not None else None


def load_local_authorities(path: Path) -> LocalAuthorities:
    data = load_without_aliases(path.read_text(encoding="utf-8")) or {}
    items = data.get("local_authorities") or []
    return LocalAuthorities(
        [
            LocalAuthority(
                str(i["name"]),
                tuple(str(a) for a in i.get("aliases") or []),
                str(i.get("region") or ""),
            )
            for i in items
        ]
    )
