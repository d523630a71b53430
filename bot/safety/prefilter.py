"""Cheap necessary conditions for a regular expression, so most are never run.

A rule's pattern such as `\\b(?:he|she) (?:is|has gone) missing\\b` can only match
a text that contains "missing". Running 200-odd patterns over a 4,000-character
message costs about 20 ms in Python's `re`; looking up a few short strings costs
microseconds. So each pattern is read once (with the standard library's own
parser) for sets of strings it cannot match without: a *clause* is a set of
strings of which any match contains at least one, and a pattern has up to
MAX_CLAUSES of them, all required. A pattern none of whose clauses can be
proved gets no prefilter and is always run.

The analysis is deliberately conservative: anything it does not understand
(case-insensitive flags, back references, character categories, unbounded
sets) counts as "could be anything", which only ever makes a prefilter weaker,
never wrong. `tests/test_crisis_rules.py` checks it against `re` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

try:  # Python 3.11+: the parser moved under re.
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# Past this many strings a set of alternatives is too costly to track exactly.
MAX_EXACT = 256
# A character class of at most this many characters is read as alternatives.
MAX_CLASS = 12
# Several clauses make a sharper filter; beyond three they cost more than they save.
MAX_CLAUSES = 3
# Strings this short ("a", "he") are in nearly every message: a weak filter.
USEFUL_LENGTH = 3
# The n-gram index below answers for strings at least this long without a scan.
GRAM = 3

Clause = frozenset[str]
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = tuple(
    op for op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)) if op
)
_GROUPS = tuple(op for op in (sre.SUBPATTERN, getattr(sre, "ATOMIC_GROUP", None)) if op)
_CASELESS = re.IGNORECASE | re.LOCALE


@dataclass(frozen=True, slots=True)
class _Info:
    """What a piece of a pattern can match: exactly (a few strings) or via clauses."""

    exact: frozenset[str] | None  # every string it can match, when few
    clauses: tuple[Clause, ...] = ()  # each: any match contains one of these


_ANYTHING = _Info(None)
_EMPTY = _Info(frozenset({""}))


def _score(clause: Clause) -> tuple[int, int]:
    """Longer and fewer strings filter better."""
    return (min(len(s) for s in clause), -len(clause))


def _valid(strings: frozenset[str] | None) -> bool:
    return bool(strings) and "" not in strings  # type: ignore[operator]


def _best(info: _Info) -> Clause | None:
    """The one clause this piece is surest to need, if any."""
    options = list(info.clauses)
    if _valid(info.exact):
        options.append(info.exact)  # type: ignore[arg-type]
    return max(options, key=_score) if options else None


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > MAX_EXACT:
        return None
    return frozenset(a + b for a in left for b in right)


def _sequence(items: Iterable[tuple[int, object]]) -> _Info:
    """Consecutive pieces: exact strings multiply out; anything else ends a run."""
    run: frozenset[str] | None = frozenset({""})
    clauses: list[Clause] = []
    exact = True
    for op, value in items:
        info = _node(op, value)
        clauses.extend(info.clauses)
        if info.exact is not None and run is not None:
            joined = _product(run, info.exact)
            if joined is not None:
                run = joined
                continue
        # The run so far is one clause; the piece's own exact strings start the next.
        exact = False
        if _valid(run):
            clauses.append(run)  # type: ignore[arg-type]
        run = info.exact if info.exact is not None else frozenset({""})
    if exact:
        return _Info(run, tuple(clauses))
    if _valid(run):
        clauses.append(run)  # type: ignore[arg-type]
    return _Info(None, tuple(clauses))


def _branch(branches: list[object]) -> _Info:
    infos = [_sequence(branch) for branch in branches]  # type: ignore[arg-type]
    exacts = [info.exact for info in infos]
    if all(e is not None for e in exacts):
        union = frozenset().union(*exacts)  # type: ignore[arg-type]
        if len(union) <= MAX_EXACT:
            return _Info(union)
    # Not exact: each branch contributes its best clause, and all must have one.
    best = [_best(info) for info in infos]
    if any(clause is None for clause in best):
        return _ANYTHING
    return _Info(None, (frozenset().union(*best),))  # type: ignore[arg-type]


def _repeat(low: int, high: int, item: object) -> _Info:
    info = _sequence(item)  # type: ignore[arg-type]
    if low == 0:
        if high == 1 and info.exact is not None:
            return _Info(info.exact | {""})
        return _ANYTHING
    if low == high and info.exact is not None:
        result: frozenset[str] | None = frozenset({""})
        for _ in range(low):
            result = _product(result, info.exact) if result is not None else None
        if result is not None:
            return _Info(result)
    best = _best(info)
    return _Info(None, (best,) if best else ())


def _characters(items: list[tuple[int, object]]) -> _Info:
    chars: set[str] = set()
    for op, value in items:
        if op == sre.LITERAL:
            chars.add(chr(value))  # type: ignore[arg-type]
        elif op == sre.RANGE:
            low, high = value  # type: ignore[misc]
            if high - low >= MAX_CLASS:
                return _ANYTHING
            chars.update(chr(c) for c in range(low, high + 1))
        else:  # NEGATE, CATEGORY (\w, \s...): too many characters
            return _ANYTHING
        if len(chars) > MAX_CLASS:
            return _ANYTHING
    return _Info(frozenset(chars)) if chars else _ANYTHING


def _node(op: int, value: object) -> _Info:
    if op == sre.LITERAL:
        return _Info(frozenset({chr(value)}))  # type: ignore[arg-type]
    if op in _ZERO_WIDTH:
        return _EMPTY  # consumes nothing: what is around it stays adjacent
    if op == sre.IN:
        return _characters(value)  # type: ignore[arg-type]
    if op == sre.BRANCH:
        return _branch(value[1])  # type: ignore[index]
    if op in _REPEATS:
        low, high, item = value  # type: ignore[misc]
        return _repeat(low, high, item)
    if op in _GROUPS:
        if op == sre.SUBPATTERN:
            _group, add_flags, _del_flags, item = value  # type: ignore[misc]
            if add_flags & _CASELESS:
                return _ANYTHING
        else:
            item = value
        return _sequence(item)  # type: ignore[arg-type]
    return _ANYTHING  # ANY, NOT_LITERAL, CATEGORY, back references...


def required_clauses(pattern: re.Pattern[str]) -> tuple[Clause, ...]:
    """Up to MAX_CLAUSES sets of strings, each of which every match must touch.

    Empty when nothing can be proved: the pattern must then always be run.
    """
    if not isinstance(pattern.pattern, str) or pattern.flags & _CASELESS:
        return ()
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - never let the filter break matching
        return ()
    if pattern.flags & re.VERBOSE or parsed.state.flags & _CASELESS:
        # Inline (?i) at the start sets the flag for the whole pattern.
        if parsed.state.flags & _CASELESS:
            return ()
    info = _sequence(parsed)
    clauses = set(info.clauses)
    if _valid(info.exact):
        clauses.add(info.exact)  # type: ignore[arg-type]
    ranked = sorted(clauses, key=_score, reverse=True)
    useful = [c for c in ranked if _score(c)[0] >= USEFUL_LENGTH]
    return tuple((useful or ranked)[:MAX_CLAUSES])


class Present:
    """Answers "is this string in the text?" quickly, many times over one text.

    The text's 3-grams go into a set once; a string whose 3-grams are not all
    there cannot be in the text, and only the rest are searched for.
    """

    __slots__ = ("_text", "_grams", "_known")

    def __init__(self, text: str) -> None:
        self._text = text
        self._grams: set[str] | None = None
        self._known: dict[str, bool] = {}

    def __call__(self, needle: str) -> bool:
        known = self._known.get(needle)
        if known is None:
            known = self._known[needle] = self._search(needle)
        return known

    def _search(self, needle: str) -> bool:
        if len(needle) >= GRAM and len(self._text) > 256:
            if self._grams is None:
                text = self._text
                self._grams = {text[i : i + GRAM] for i in range(len(text) - GRAM + 1)}
            grams = self._grams
            for i in range(0, len(needle) - GRAM + 1):
                if needle[i : i + GRAM] not in grams:
                    return False
        return needle in self._text

    def satisfies(self, clauses: tuple[Clause, ...]) -> bool:
        """Whether every clause has one of its strings in the text."""
        return all(any(self(s) for s in clause) for clause in clauses)
