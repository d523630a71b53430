"""Crisis rules over a long message in a millisecond or so: the same matches, found sooner.

Python's `re` tries a pattern at every character of the text: about 0.1 ms per
pattern for a 4,000-character message, 20 ms for all the rules. Three things
spare most of that work, none of them changing what matches:

1. A prefilter per pattern (bot/safety/prefilter.py): words or strings it
   cannot match without. Most patterns are ruled out by set lookups.
2. A pattern whose matches are bounded in length (most are) is searched only in
   windows around the places its words occur, not the whole text.
3. Sentences are searched only with the patterns that could match there: a
   sentence lies inside the message, so a pattern that reads nothing outside its
   own match (no lookarounds, ^ or $) matches a sentence only if it matches the
   message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from bot.safety.prefilter import (
    Checker,
    ClauseIndex,
    Extent,
    Key,
    extent,
    key_spans,
    may_contain,
)
from bot.safety.prefilter import required_clauses as _required_clauses

# Below this length a text is searched whole: windows would save nothing.
WINDOW_MIN_CHARS = 600
# A word found this often is not worth a window each: search the whole text.
MAX_WINDOWS = 48
_WORD_RUN = re.compile(r"\w*")
_WORD_CHAR = re.compile(r"\w")


class _Rule(Protocol):
    @property
    def level(self) -> str: ...
    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]: ...


@lru_cache(maxsize=4096)
def _analysis(pattern: re.Pattern[str]) -> tuple[tuple, Extent]:
    """A pattern's prefilter and extent, worked out once per process."""
    return _required_clauses(pattern), extent(pattern)


@lru_cache(maxsize=4096)
def _alternatives(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """`a|b|c` as three patterns: the text matches it when it matches one of them.

    Each alternative gets its own prefilter, sharper than one for them all.
    A pattern that cannot be cut cleanly (a verbose one, one with comments, or
    one whose parts refer to each other's groups) stays whole.
    """
    if pattern.flags & re.VERBOSE or "(?#" in pattern.pattern:  # comments may hold | or (
        return (pattern,)
    parts = _top_level_parts(pattern.pattern)
    if len(parts) < 2:
        return (pattern,)
    try:
        return tuple(re.compile(part, pattern.flags) for part in parts)
    except re.error:
        return (pattern,)


def _top_level_parts(source: str) -> list[str]:
    """The source cut at each | outside brackets, parentheses and escapes."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 1  # the escaped character is taken as it is
        elif char == "[":
            index = _class_end(source, index)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:index])
            start = index + 1
        index += 1
    parts.append(source[start:])
    return parts


def _class_end(source: str, index: int) -> int:
    """Where the character class opening at `index` closes ("[]a]" and "[^]a]" hold a "]")."""
    index += 1
    if index < len(source) and source[index] == "^":
        index += 1
    if index < len(source) and source[index] == "]":
        index += 1
    while index < len(source) and source[index] != "]":
        if source[index] == "\\":
            index += 1
        index += 1
    return index


@dataclass(slots=True)
class Matching:
    """One text's answers, kept so that its sentences can be read after it."""

    text: str
    checker: Checker
    word_run: int  # the longest run of word characters in the text
    space_run: int  # the longest run of spaces
    searched: dict[int, bool] = field(default_factory=dict)  # pattern number -> matched


def _longest_space_run(text: str) -> int:
    if " ".join(text.split()) == text:  # single spaces only (a folded text)
        return 1
    return max((len(run) for run in re.findall(r"\s+", text)), default=0)


class RuleMatcher:
    """Rules ready to match: their patterns numbered, each with its prefilter and extent."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.rules = tuple(rules)
        self._patterns: list[re.Pattern[str]] = []
        self._by_rule: list[list[int]] = []
        clauses = []
        self._extents: list[Extent] = []
        for rule in rules:
            numbers = []
            for pattern in rule.patterns:
                for part in _alternatives(pattern):
                    numbers.append(len(self._patterns))
                    self._patterns.append(part)
                    part_clauses, part_extent = _analysis(part)
                    clauses.append(part_clauses)
                    self._extents.append(part_extent)
            self._by_rule.append(numbers)
        self._rule_of = [i for i, numbers in enumerate(self._by_rule) for _ in numbers]
        self._clauses = clauses
        self._index = ClauseIndex(clauses)
        self._crisis = [
            n for i, rule in enumerate(rules) if rule.level == "crisis" for n in self._by_rule[i]
        ]

    def serves(self, rules: Sequence[_Rule]) -> bool:
        """Whether this matcher was built for exactly these rules (the same objects)."""
        return len(rules) == len(self.rules) and all(
            a is b for a, b in zip(rules, self.rules, strict=True)
        )

    def match(self, folded: str) -> tuple[list[int], Matching]:
        """The indexes of the rules that match this folded text, in order."""
        checker = self._index.checker(folded)
        words = checker.words()
        matching = Matching(
            folded,
            checker,
            max(map(len, words), default=0),
            _longest_space_run(folded),
        )
        found: set[int] = set()
        for number in checker.candidates:  # the only patterns that could match
            rule = self._rule_of[number]
            if rule not in found and self._matches(number, matching):
                found.add(rule)
        return sorted(found), matching

    def _matches(self, number: int, matching: Matching) -> bool:
        known = matching.searched.get(number)
        if known is None:
            known = matching.searched[number] = self._search(number, matching)
        return known

    def _search(self, number: int, matching: Matching) -> bool:
        needles = matching.checker.needles(number)
        if needles is None:
            return False
        pattern, text = self._patterns[number], matching.text
        reach = self._extents[number].reach
        if reach is None or not needles or len(text) < WINDOW_MIN_CHARS:
            return pattern.search(text) is not None
        fixed, word_runs, space_runs = reach
        # A match holds one of the needles, and it and its lookarounds read at most `span`
        # characters: all of that lies within `span` of the needle.
        span = fixed + word_runs * matching.word_run + space_runs * matching.space_run
        windows = _windows(text, needles, span)
        if windows is None:
            return pattern.search(text) is not None
        if self._extents[number].reads_end:
            return any(_search_before(pattern, text, start, end) for start, end in windows)
        return any(pattern.search(text, start, end) for start, end in windows)

    def crisis_in(self, folded_parts: list[str], matching: Matching) -> list[int]:
        """Which parts (the folded sentences of the text `matching` read) a crisis rule matches.

        A part found inside the text between non-word characters holds none of
        the words the text lacks; and a pattern that reads nothing outside its
        own match can match such a part only if it matches the text. So only
        those patterns are tried, each only on the parts holding one of its words.
        """
        candidates = []
        for number in self._crisis:
            needles = matching.checker.needles(number)
            if needles is None:
                continue
            if not self._extents[number].looks_around and not self._matches(number, matching):
                continue
            candidates.append((number, needles))
        everything = [(number, None) for number in self._crisis]
        found = []
        for position, part in enumerate(folded_parts):
            inside = _within(part, matching.text)
            for number, needles in candidates if inside else everything:
                if needles is None:
                    if not may_contain(part, self._clauses[number]):
                        continue
                elif needles and not any(needle in part for _, needle in needles):
                    continue
                if self._patterns[number].search(part):
                    found.append(position)
                    break
        return found


def _search_before(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """pattern.search(text, start, end), for a pattern with $, without its false matches.

    Searching up to `end` makes $ match there as if the text ended: a match that
    reaches `end` short of the real end is checked against the whole text.
    """
    while (match := pattern.search(text, start, end)) is not None:
        if match.end() < end or end == len(text) or pattern.match(text, match.start()):
            return True
        start = match.start() + 1
    return False


def _windows(text: str, keys: list[Key], margin: int) -> list[tuple[int, int]] | None:
    """Merged stretches of `margin` characters around every place a key occurs.

    Each ends before a non-word character (or at the end), so \b reads the same
    at a window's end as in the whole text. None when the places are too many.
    """
    spans = key_spans(text, keys, MAX_WINDOWS)
    if spans is None:
        return None
    spans = sorted((max(0, start - margin), end + margin) for start, end in spans)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    windows = []
    for start, end in merged:
        if end >= len(text):
            windows.append((start, len(text)))
        else:
            windows.append((start, _WORD_RUN.match(text, end).end()))  # type: ignore[union-attr]
    return windows


def _within(part: str, whole: str) -> bool:
    """Whether `part` is in `whole` with no word character touching it on either side."""
    at = whole.find(part)
    if at < 0:
        return False
    end = at + len(part)
    return (at == 0 or not _WORD_CHAR.match(whole[at - 1])) and (
        end == len(whole) or not _WORD_CHAR.match(whole[end])
    )
