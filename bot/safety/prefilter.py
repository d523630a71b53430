"""Cheap necessary conditions for a regular expression, so most patterns are never run.

A rule's pattern such as `\\b(?:he|she) (?:is|has gone) missing\\b` cannot match a
text without the word "missing" in it. Running 200-odd patterns over a
4,000-character message costs about 20 ms in Python's `re`; looking words up in a
set costs microseconds. So each pattern is read once, with the standard
library's own parser, for *clauses*: a clause is a set of keys of which every
match must contain one, and all of a pattern's clauses are required. A key is a
whole word (looked up in the text's set of words), the start or end of a word
(looked up in its sorted words), or a string (searched for in the text).

`extent` reads how long a match can be (and whether it reads around itself:
lookarounds, ^, $), so that bot/safety/matching.py can search only near its keys.

The analysis is conservative: whatever it does not understand (case-insensitive
flags, back references, \\w, \\s, `.`, large character classes) counts as "could
be anything", which only ever weakens a filter, never makes it wrong. A pattern
with nothing provable has no clauses and is always run.
tests/test_crisis_fast_screen.py checks the filter against `re` itself.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
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
# A wider range (a-z) is only read for what kind of characters it holds.
MAX_RANGE = 2048
# Several clauses make a sharper filter; beyond three they cost more than they save.
MAX_CLAUSES = 3
# Keys this long are rare enough in a message; past it, fewer keys matter more.
SHARP_LENGTH = 6
# Keys at least this strong (a word of three letters, not a common one) filter well.
SHARP_ENOUGH = 3
# A clause searching the text for more strings than this searches for shorter pieces
# of them instead, COVER_WIDTH characters long.
FEW_SEARCHES = 4
COVER_WIDTH = 3
# Short words every message has: as keys they filter nothing.
COMMON_WORDS = frozenset(
    [
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "back",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "day",
        "did",
        "do",
        "does",
        "don",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "know",
        "like",
        "me",
        "more",
        "my",
        "no",
        "not",
        "now",
        "of",
        "off",
        "on",
        "one",
        "only",
        "or",
        "our",
        "out",
        "over",
        "said",
        "says",
        "she",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "time",
        "to",
        "too",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)

# \b, ^ and $: a word between two of these (or spaces...) is a whole word of the text.
_EDGES = {
    getattr(sre, name)
    for name in (
        "AT_BOUNDARY",
        "AT_UNI_BOUNDARY",
        "AT_LOC_BOUNDARY",
        "AT_BEGINNING",
        "AT_BEGINNING_LINE",
        "AT_BEGINNING_STRING",
        "AT_END",
        "AT_END_LINE",
        "AT_END_STRING",
    )
    if hasattr(sre, name)
}
EDGE = "\x01"  # marks such an edge inside the strings below; it stands for no character
_LOOKAROUNDS = (sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = tuple(
    op for op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)) if op
)
_GROUPS = tuple(op for op in (sre.SUBPATTERN, getattr(sre, "ATOMIC_GROUP", None)) if op)
# Flags under which a pattern's letters or \b mean something else than in the text's words.
_UNSURE_FLAGS = re.IGNORECASE | re.LOCALE | re.ASCII
_WORD = re.compile(r"\w+")

Strings = frozenset[str]
# What a key says is in the text: a whole word, a word's start or end, or a string.
WORD, PREFIX, SUFFIX, TEXT = range(4)
# Rough cost of asking, in set lookups: a substring search scans the whole text.
KEY_COST = {WORD: 1, PREFIX: 4, SUFFIX: 4, TEXT: 50}
Key = tuple[int, str]
Clause = frozenset[Key]


# What a piece of a pattern can start or end with: a word character ("w"), a
# non-word character or a word boundary ("n"), or nothing at all ("").
Ends = frozenset[str]
_EITHER: Ends = frozenset({"w", "n"})
_ANY_ENDS: Ends = frozenset({"w", "n", ""})
_NONE_ENDS: Ends = frozenset({""})
_BOUNDED: Ends = frozenset({"n"})


@dataclass(frozen=True, slots=True)
class _Info:
    """What a piece of a pattern can match: exactly (a few strings) or via string sets."""

    exact: Strings | None  # every string it can match, when few (EDGE marks \b, ^, $)
    needs: tuple[Strings, ...] = ()  # each: every match contains one of these


_ANYTHING = _Info(None)
_EMPTY = _Info(frozenset({""}))
Outside = tuple[Ends, Ends]  # how what comes before a piece can end, and after it start
_UNKNOWN: Outside = (_EITHER, _EITHER)


def _kind(char: str) -> str:
    return "w" if char != EDGE and _WORD.match(char) else "n"


def _bare(string: str) -> str:
    return string.replace(EDGE, "")


def _valid(strings: Strings | None) -> bool:
    """A set that says something: no member can be matched by the empty string."""
    return bool(strings) and all(_bare(s) for s in strings)  # type: ignore[union-attr]


def _strength(strings: Strings) -> tuple[int, int]:
    return (min(SHARP_LENGTH, min(len(_bare(s)) for s in strings)), -len(strings))


def _best(info: _Info) -> Strings | None:
    """The one set this piece is surest to need, if any."""
    options = list(info.needs)
    if _valid(info.exact):
        options.append(info.exact)  # type: ignore[arg-type]
    return max(options, key=_strength) if options else None


def _product(left: Strings, right: Strings) -> Strings | None:
    if len(left) * len(right) > MAX_EXACT:
        return None
    return frozenset((a + b).replace(EDGE + EDGE, EDGE) for a in left for b in right)


def _then(ends: Ends, beyond: Ends) -> Ends:
    """A piece's ends, looking past it (to `beyond`) when it can match nothing."""
    return (ends - _NONE_ENDS) | beyond if "" in ends else ends


# -- how pieces start and end (word character or not), to find whole words ------

_WORD_CATEGORIES = {
    getattr(sre, name)
    for name in ("CATEGORY_WORD", "CATEGORY_DIGIT", "CATEGORY_UNI_WORD", "CATEGORY_UNI_DIGIT")
    if hasattr(sre, name)
}
_NON_WORD_CATEGORIES = {
    getattr(sre, name)
    for name in (
        "CATEGORY_NOT_WORD",
        "CATEGORY_SPACE",
        "CATEGORY_UNI_NOT_WORD",
        "CATEGORY_UNI_SPACE",
    )
    if hasattr(sre, name)
}


def _class_kinds(items: list[tuple[int, object]]) -> Ends:
    kinds: set[str] = set()
    for op, value in items:
        if op == sre.LITERAL:
            kinds.add(_kind(chr(value)))  # type: ignore[arg-type]
        elif op == sre.RANGE and value[1] - value[0] < MAX_RANGE:  # type: ignore[index]
            kinds |= {_kind(chr(c)) for c in range(value[0], value[1] + 1)}  # type: ignore[index]
        elif op == sre.CATEGORY and value in _WORD_CATEGORIES:
            kinds.add("w")
        elif op == sre.CATEGORY and value in _NON_WORD_CATEGORIES:
            kinds.add("n")
        else:  # NEGATE, wide ranges, other categories
            return _EITHER
    return frozenset(kinds) or _EITHER


def _sequence_ends(items: list[tuple[int, object]]) -> tuple[Ends, Ends]:
    head = tail = _NONE_ENDS
    ends = [_ends(op, value) for op, value in items]
    for first, _last in reversed(ends):
        head = _then(first, head)
    for _first, last in ends:
        tail = _then(last, tail)
    return head, tail


def _ends(op: int, value: object) -> tuple[Ends, Ends]:
    """What a piece's matches can start and end with ("" when it can match nothing)."""
    if op == sre.LITERAL:
        kind = frozenset({_kind(chr(value))})  # type: ignore[arg-type]
        return kind, kind
    if op == sre.AT:
        # \b next to a word character means a non-word one (or the text's edge) beyond it.
        return (_BOUNDED, _BOUNDED) if value in _EDGES else (_NONE_ENDS, _NONE_ENDS)
    if op in _LOOKAROUNDS:
        return _NONE_ENDS, _NONE_ENDS
    if op == sre.IN:
        kinds = _class_kinds(value)  # type: ignore[arg-type]
        return kinds, kinds
    if op == sre.BRANCH:
        pairs = [_sequence_ends(branch) for branch in value[1]]  # type: ignore[index]
        return frozenset().union(*(h for h, _ in pairs)), frozenset().union(*(t for _, t in pairs))
    if op in _REPEATS:
        low, _high, item = value  # type: ignore[misc]
        head, tail = _sequence_ends(item)
        return (head | _NONE_ENDS, tail | _NONE_ENDS) if low == 0 else (head, tail)
    if op in _GROUPS:
        return _sequence_ends(value[-1] if op == sre.SUBPATTERN else value)  # type: ignore[index]
    if op in (sre.ANY, sre.NOT_LITERAL):
        return _EITHER, _EITHER
    return _ANY_ENDS, _ANY_ENDS


# -- what pieces need -------------------------------------------------------------


def _sequence(items: Iterable[tuple[int, object]], outside: Outside = _UNKNOWN) -> _Info:
    """Consecutive pieces: exact strings multiply out; anything else ends a run.

    Where a run starts or ends next to something that can only be a non-word
    character (a space, \b), EDGE records it, so the run's first and last words
    count as whole words.
    """
    items = list(items)
    ends = [_ends(op, value) for op, value in items]
    # before[i]: how what precedes piece i can end; after[i]: how piece i on can start.
    before = [outside[0]]
    for _head, tail in ends:
        before.append(_then(tail, before[-1]))
    after = [outside[1]] * (len(items) + 1)
    for index in range(len(items) - 1, -1, -1):
        after[index] = _then(ends[index][0], after[index + 1])

    def opening(strings: Strings, index: int) -> Strings:
        return frozenset(EDGE + s for s in strings) if "w" not in before[index] else strings

    def closing(strings: Strings, index: int) -> Strings:
        return frozenset(s + EDGE for s in strings) if "w" not in after[index] else strings

    run: Strings = frozenset({""})
    needs: list[Strings] = []
    exact = True
    for index, (op, value) in enumerate(items):
        info = _node(op, value, (before[index], after[index + 1]))
        needs.extend(info.needs)
        if info.exact is not None:
            joined = _product(run, info.exact)
            if joined is not None:
                run = joined
                continue
        # The run so far is needed as it stands; a new one starts here or after this piece.
        if exact:
            run = opening(run, 0)
        exact = False
        run = closing(run, index)
        if _valid(run):
            needs.append(run)
        if info.exact is not None:
            run = opening(info.exact, index)
        else:
            run = opening(frozenset({""}), index + 1)
    if exact:
        return _Info(run, tuple(needs))
    run = closing(run, len(items))
    if _valid(run):
        needs.append(run)
    return _Info(None, tuple(needs))


def _branch(branches: list[object], outside: Outside) -> _Info:
    infos = [_sequence(branch, outside) for branch in branches]  # type: ignore[arg-type]
    exacts = [info.exact for info in infos]
    if all(e is not None for e in exacts):
        union = frozenset().union(*exacts)  # type: ignore[arg-type]
        if len(union) <= MAX_EXACT:
            return _Info(union)
    # Not exact: each branch brings its best set, and every branch must have one.
    best = [_best(info) for info in infos]
    if any(strings is None for strings in best):
        return _ANYTHING
    return _Info(None, (frozenset().union(*best),))  # type: ignore[arg-type]


def _repeat(low: int, high: int, item: object, outside: Outside) -> _Info:
    # Repeated, a piece is next to itself: what surrounds it is no longer known.
    info = _sequence(item, outside if high <= 1 else _UNKNOWN)  # type: ignore[arg-type]
    if low == 0:
        if high == 1 and info.exact is not None:
            return _Info(info.exact | {""})
        return _ANYTHING
    if low == high and info.exact is not None:
        result: Strings | None = frozenset({""})
        for _ in range(low):
            result = _product(result, info.exact) if result is not None else None
        if result is not None:
            return _Info(result)
    best = _best(info)  # at least once: whatever one repetition needs
    return _Info(None, (best,) if best else ())


def _characters(items: list[tuple[int, object]]) -> _Info:
    """A character class of a few characters reads as alternatives."""
    chars: set[str] = set()
    for op, value in items:
        if op == sre.LITERAL:
            chars.add(chr(value))  # type: ignore[arg-type]
        elif op == sre.RANGE and value[1] - value[0] < MAX_CLASS:  # type: ignore[index]
            chars.update(chr(c) for c in range(value[0], value[1] + 1))  # type: ignore[index]
        else:  # NEGATE, CATEGORY (\w, \s...), wide ranges: too many characters
            return _ANYTHING
    if not chars or len(chars) > MAX_CLASS or EDGE in chars:
        return _ANYTHING
    return _Info(frozenset(chars))


def _node(op: int, value: object, outside: Outside) -> _Info:
    if op == sre.LITERAL:
        if chr(value) == EDGE:  # type: ignore[arg-type]
            return _ANYTHING  # would be taken for the marker
        return _Info(frozenset({chr(value)}))  # type: ignore[arg-type]
    if op == sre.AT:
        # Consumes nothing, so what is around it stays adjacent.
        return _Info(frozenset({EDGE})) if value in _EDGES else _EMPTY
    if op in _LOOKAROUNDS:
        return _EMPTY
    if op == sre.IN:
        return _characters(value)  # type: ignore[arg-type]
    if op == sre.BRANCH:
        return _branch(value[1], outside)  # type: ignore[index]
    if op in _REPEATS:
        low, high, item = value  # type: ignore[misc]
        return _repeat(low, high, item, outside)
    if op in _GROUPS:
        if op == sre.SUBPATTERN:
            _group, add_flags, _del_flags, item = value  # type: ignore[misc]
            if add_flags & _UNSURE_FLAGS:
                return _ANYTHING
        else:
            item = value
        return _sequence(item, outside)  # type: ignore[arg-type]
    return _ANYTHING  # ., [^x], back references, conditionals...


def _string_keys(string: str) -> list[Key]:
    """Every key a string guarantees: its whole words, the word it starts or ends, itself.

    A run of word characters with a non-word character (or an edge) on both sides
    is a whole word of the text; with one only on its left, the start of a word
    (a prefix); only on its right, the end of one (a suffix).
    """
    keys: list[Key] = []
    for match in _WORD.finditer(string):
        left, right = match.start() > 0, match.end() < len(string)
        if left and right:
            keys.append((WORD, match.group()))
        elif left:
            keys.append((PREFIX, match.group()))
        elif right:
            keys.append((SUFFIX, match.group()))
    bare = _bare(string)
    if bare:
        keys.append((TEXT, bare))
    return keys


def _key_strength(key: Key) -> int:
    kind, text = key
    if kind == WORD and text in COMMON_WORDS:
        return 1
    return min(SHARP_LENGTH, len(text))


def _clause(strings: Strings) -> Clause:
    """For each string its cheapest sharp key: many strings share one, so clauses stay small.

    "boyfriend broke her" and "dad broke his" both give the word "broke"; a
    whole word costs one set lookup, a substring search a scan of the text.
    """
    options = {s: _string_keys(s) for s in strings}
    shared = Counter(key for keys in options.values() for key in set(keys))

    def preference(key: Key) -> tuple[bool, int, int, int, str]:
        strength = _key_strength(key)
        return (strength >= SHARP_ENOUGH, -KEY_COST[key[0]], shared[key], strength, key[1])

    chosen = {s: max(keys, key=preference) for s, keys in options.items() if keys}
    searched = [_bare(s) for s, key in chosen.items() if key[0] == TEXT]
    if len(searched) <= FEW_SEARCHES:
        return frozenset(chosen.values())
    # Many strings to search for ("e.h.c.p", "eh.c.p", "e.hc.p"...): a few short pieces
    # they all contain ("e.h", "eh") ask nearly as much for far fewer scans.
    kept = frozenset(key for key in chosen.values() if key[0] != TEXT)
    return kept | frozenset((TEXT, piece) for piece in _cover(searched))


def _cover(strings: list[str]) -> list[str]:
    """A few substrings such that each string holds one: the commonest first (greedy)."""
    width = min(COVER_WIDTH, min(len(s) for s in strings))
    windows = {s: {s[i : i + width] for i in range(len(s) - width + 1)} for s in strings}
    uncovered = set(strings)
    chosen = []
    while uncovered:
        counts = Counter(w for s in uncovered for w in windows[s])
        best = max(sorted(counts), key=counts.__getitem__)
        chosen.append(best)
        uncovered = {s for s in uncovered if best not in windows[s]}
    return chosen


def _clause_rank(clause: Clause) -> tuple[bool, int, int]:
    """Sharp enough first, then cheapest."""
    strength = min(_key_strength(k) for k in clause)
    cost = sum(KEY_COST[kind] for kind, _ in clause)
    return (strength >= SHARP_ENOUGH, -cost, strength)


def required_clauses(pattern: re.Pattern[str]) -> tuple[Clause, ...]:
    """Up to MAX_CLAUSES clauses, every one of which each match of the pattern satisfies.

    Empty when nothing can be proved: the pattern must then always be run.
    """
    if not isinstance(pattern.pattern, str) or pattern.flags & _UNSURE_FLAGS:
        return ()
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # a filter must never break matching
        return ()
    if parsed.state.flags & _UNSURE_FLAGS:  # (?i) or (?a) at the start of the pattern
        return ()
    info = _sequence(parsed)
    needs = set(info.needs)
    if _valid(info.exact):
        needs.add(info.exact)  # type: ignore[arg-type]
    clauses = sorted({_clause(strings) for strings in needs}, key=_clause_rank, reverse=True)
    # A clause of common words (" ", "the") is in every message: asking costs, filters nothing.
    sharp = [c for c in clauses if _clause_rank(c)[0]]
    return tuple((sharp or clauses)[:MAX_CLAUSES])


# -- how far a match can reach ------------------------------------------------------

# A bound on how far a match reads: fixed characters, plus so many runs of word
# characters (\w*) and of spaces (\s+), whose longest lengths depend on the text.
Reach = tuple[int, int, int]
_SPACE_CATEGORIES = {
    getattr(sre, name) for name in ("CATEGORY_SPACE", "CATEGORY_UNI_SPACE") if hasattr(sre, name)
}
_INSIDE_ONLY = {
    getattr(sre, name)
    for name in ("AT_BOUNDARY", "AT_NON_BOUNDARY", "AT_UNI_BOUNDARY", "AT_UNI_NON_BOUNDARY")
    if hasattr(sre, name)
}


def _repeated_class(item: list[tuple[int, object]]) -> str | None:
    r""" "w" for \w and its like, "s" for \s: a repeat of either is as long as a run in the text."""
    if len(item) != 1:
        return None
    op, value = item[0]
    if op == sre.IN and _class_kinds(value) == frozenset({"w"}):  # type: ignore[arg-type]
        return "w"
    if op == sre.IN and all(
        o == sre.CATEGORY and v in _SPACE_CATEGORIES
        for o, v in value  # type: ignore[attr-defined]
    ):
        return "s"
    return None


def _add(left: Reach, right: Reach) -> Reach:
    return (left[0] + right[0], left[1] + right[1], left[2] + right[2])


def _sequence_reach(items: Iterable[tuple[int, object]]) -> Reach | None:
    total = (0, 0, 0)
    for op, value in items:
        reach = _node_reach(op, value)
        if reach is None:
            return None
        total = _add(total, reach)
    return total


def _node_reach(op: int, value: object) -> Reach | None:
    """The piece's bound (what lookarounds read counts too), or None when it has none."""
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
        return (1, 0, 0)
    if op == sre.AT:
        # \b reads the characters either side, ^ the one before (or the real start);
        # $ reads where the text ends: see _reads_end.
        return (0, 0, 0)
    if op in _LOOKAROUNDS:
        return _sequence_reach(value[1])  # type: ignore[index]
    if op == sre.BRANCH:
        reaches = [_sequence_reach(branch) for branch in value[1]]  # type: ignore[index]
        if any(r is None for r in reaches):
            return None
        return tuple(max(r[i] for r in reaches) for i in range(3))  # type: ignore[index,return-value]
    if op in _REPEATS:
        _low, high, item = value  # type: ignore[misc]
        if high == sre.MAXREPEAT:
            kind = _repeated_class(item)
            return (0, 1, 0) if kind == "w" else (0, 0, 1) if kind == "s" else None
        reach = _sequence_reach(item)
        return None if reach is None else (reach[0] * high, reach[1] * high, reach[2] * high)
    if op == sre.SUBPATTERN:
        return _sequence_reach(value[-1])  # type: ignore[index]
    return None  # back references, atomic groups...


def _reads_end(items: Iterable[tuple[int, object]]) -> bool:
    r"""Whether the pattern has $ (or \Z): it matches differently where a search stops."""
    for op, value in items:
        if op == sre.AT and value in _ENDS:
            return True
        if op == sre.BRANCH and any(_reads_end(b) for b in value[1]):  # type: ignore[index]
            return True
        if op in _REPEATS and _reads_end(value[2]):  # type: ignore[index]
            return True
        if op in _LOOKAROUNDS and _reads_end(value[1]):  # type: ignore[index]
            return True
        if op in _GROUPS and _reads_end(value[-1] if op == sre.SUBPATTERN else value):  # type: ignore[index,arg-type]
            return True
    return False


_ENDS = {
    getattr(sre, name) for name in ("AT_END", "AT_END_LINE", "AT_END_STRING") if hasattr(sre, name)
}


def _looks_around(items: Iterable[tuple[int, object]]) -> bool:
    for op, value in items:
        if op in _LOOKAROUNDS or (op == sre.AT and value not in _INSIDE_ONLY):
            return True
        if op == sre.BRANCH and any(_looks_around(b) for b in value[1]):  # type: ignore[index]
            return True
        if op in _REPEATS and _looks_around(value[2]):  # type: ignore[index]
            return True
        if op in _GROUPS and _looks_around(value[-1] if op == sre.SUBPATTERN else value):  # type: ignore[index,arg-type]
            return True
        if op not in _KNOWN_OPS:
            return True  # something this module does not read: assume the worst
    return False


_KNOWN_OPS = {
    sre.LITERAL,
    sre.NOT_LITERAL,
    sre.ANY,
    sre.IN,
    sre.AT,
    sre.BRANCH,
    *_REPEATS,
    *_GROUPS,
    *_LOOKAROUNDS,
}


@dataclass(frozen=True, slots=True)
class Extent:
    """How far a pattern's matches read, and whether they read beyond their own span."""

    reach: Reach | None  # None: no bound, search the whole text
    looks_around: bool  # lookarounds, ^ or $: a piece may match where the whole text does not
    reads_end: bool = True  # $: a search that stops early may match where the text does not


def extent(pattern: re.Pattern[str]) -> Extent:
    if not isinstance(pattern.pattern, str) or pattern.flags & (re.LOCALE | re.ASCII):
        return Extent(None, True)
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        return Extent(_sequence_reach(parsed), _looks_around(parsed), _reads_end(parsed))
    except Exception:  # a filter must never break matching
        return Extent(None, True)


class ClauseIndex:
    """Many patterns' clauses, asked about one text at a time.

    Whole-word keys are looked up the other way round, from the text's words, in
    one set intersection, and give the patterns still in the running: those
    whose clauses of whole words all have a word in the text. Only for those are
    the other keys asked about, and their answers are kept for the text.
    """

    def __init__(self, patterns: list[tuple[Clause, ...]]) -> None:
        # Per pattern: (clause number, its keys that are not whole words) for each clause.
        self.patterns: list[tuple[tuple[int, _Others | None], ...]] = []
        self.keys: list[tuple[Key, ...]] = []  # every key of each clause, by clause number
        self.by_word: dict[str, list[int]] = {}
        self.word_clause_of: dict[int, int] = {}  # clause of whole words only -> its pattern
        self.word_clauses: list[int] = []  # per pattern: how many such clauses it has
        unfiltered = []  # patterns with no clause of whole words only: always in the running
        for number, clauses in enumerate(patterns):
            entry = []
            for clause in clauses:
                clause_number = len(self.keys)
                keys = tuple(sorted(clause, key=_key_cost))
                self.keys.append(keys)
                for kind, text in keys:
                    if kind == WORD:
                        self.by_word.setdefault(text, []).append(clause_number)
                others = _Others.of([k for k in keys if k[0] != WORD])
                if others is None:
                    self.word_clause_of[clause_number] = number
                entry.append((clause_number, others))
            self.patterns.append(tuple(entry))
            self.word_clauses.append(sum(1 for _, others in entry if others is None))
            if not self.word_clauses[-1]:
                unfiltered.append(number)
        self.unfiltered = tuple(unfiltered)

    def checker(self, text: str) -> Checker:
        return Checker(self, text)


def _key_cost(key: Key) -> tuple[int, str]:
    return KEY_COST[key[0]], key[1]


# Prefixes and suffixes are first sorted by their first (last) three letters:
# whole groups are ruled out by one set intersection with the text's.
_HEAD = 3


@dataclass(frozen=True, slots=True)
class _Others:
    """A clause's keys that are not whole words: prefixes, suffixes and strings."""

    prefixes: dict[str, tuple[Key, ...]]  # by their first _HEAD characters
    suffixes: dict[str, tuple[Key, ...]]  # by their last _HEAD characters
    rest: tuple[Key, ...]  # strings, and prefixes or suffixes too short to group

    @classmethod
    def of(cls, keys: list[Key]) -> _Others | None:
        if not keys:
            return None
        prefixes: dict[str, list[Key]] = {}
        suffixes: dict[str, list[Key]] = {}
        rest = []
        for key in keys:
            kind, text = key
            if kind == PREFIX and len(text) >= _HEAD:
                prefixes.setdefault(text[:_HEAD], []).append(key)
            elif kind == SUFFIX and len(text) >= _HEAD:
                suffixes.setdefault(text[-_HEAD:], []).append(key)
            else:
                rest.append(key)
        return cls(
            {h: tuple(k) for h, k in prefixes.items()},
            {t: tuple(k) for t, k in suffixes.items()},
            tuple(rest),
        )

    def any_in(self, present: Present) -> bool:
        if self.prefixes:
            for head in present.heads().intersection(self.prefixes):
                if any(map(present, self.prefixes[head])):
                    return True
        if self.suffixes:
            for tail in present.tails().intersection(self.suffixes):
                if any(map(present, self.suffixes[tail])):
                    return True
        return any(map(present, self.rest))


class Checker:
    """One text's answers: `may_match(i)` is False only when pattern i cannot match it."""

    __slots__ = ("_index", "_present", "_satisfied", "candidates")

    def __init__(self, index: ClauseIndex, text: str) -> None:
        self._index = index
        self._present = Present(text)
        satisfied: set[int] = set()
        by_word = index.by_word
        for word in self._present.words().intersection(by_word):
            satisfied.update(by_word[word])
        self._satisfied = satisfied
        # Patterns whose every clause of whole words has one in the text.
        found: dict[int, int] = {}
        word_clause_of = index.word_clause_of
        for clause in satisfied:
            pattern = word_clause_of.get(clause)
            if pattern is not None:
                found[pattern] = found.get(pattern, 0) + 1
        required = index.word_clauses
        self.candidates = sorted(
            [pattern for pattern, count in found.items() if count == required[pattern]]
            + list(index.unfiltered)
        )

    def may_match(self, pattern: int) -> bool:
        satisfied = self._satisfied
        for clause, others in self._index.patterns[pattern]:
            if clause in satisfied:
                continue
            if others is None or not others.any_in(self._present):
                return False
            satisfied.add(clause)
        return True

    def words(self) -> set[str]:
        """The text's words (runs of word characters)."""
        return self._present.words()

    def needles(self, pattern: int) -> list[Key] | None:
        """None when pattern i cannot match the text; else keys of which any stretch of
        the text it matches holds one (an empty list: it has no prefilter).

        Of the pattern's clauses, the one whose keys occur least often in the text.
        """
        if not self.may_match(pattern):
            return None
        present = self._present
        options = [
            [key for key in self._index.keys[clause] if present(key)]
            for clause, _ in self._index.patterns[pattern]
        ]
        if len(options) <= 1:
            return options[0] if options else []
        return min(options, key=present.occurrences)


class Present:
    """Answers "is this key in the text?" for many keys over one (folded) text.

    The text's words go into a set, and sorted lists for prefixes and suffixes,
    only when a key first needs them; substring answers are remembered.
    """

    __slots__ = ("_heads", "_known", "_reversed", "_sorted", "_tails", "_text", "_words")

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: set[str] | None = None
        self._sorted: list[str] | None = None
        self._reversed: list[str] | None = None
        self._heads: set[str] | None = None
        self._tails: set[str] | None = None
        self._known: dict[Key, bool] = {}

    def occurrences(self, keys: list[Key]) -> int:
        """About how often the keys occur (as plain strings: a whole word is counted
        wherever its letters are)."""
        return sum(self._text.count(text) for _, text in keys)

    def heads(self) -> set[str]:
        """The first _HEAD characters of each word at least that long."""
        if self._heads is None:
            self._heads = {w[:_HEAD] for w in self.words() if len(w) >= _HEAD}
        return self._heads

    def tails(self) -> set[str]:
        if self._tails is None:
            self._tails = {w[-_HEAD:] for w in self.words() if len(w) >= _HEAD}
        return self._tails

    def words(self) -> set[str]:
        if self._words is None:
            self._words = _word_set(self._text)
        return self._words

    def __call__(self, key: Key) -> bool:
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._ask(key)
        return known

    def _ask(self, key: Key) -> bool:
        kind, needle = key
        if kind == WORD:
            return needle in self.words()
        if kind == PREFIX:
            if self._sorted is None:
                self._sorted = sorted(self.words())
            return _starts_one(self._sorted, needle)
        if kind == SUFFIX:
            if self._reversed is None:
                self._reversed = sorted(w[::-1] for w in self.words())
            return _starts_one(self._reversed, needle[::-1])
        return needle in self._text


def _word_set(text: str) -> set[str]:
    r"""set(re.findall(r"\w+", text)), about three times faster: most words need no regex."""
    words = set()
    for chunk in set(text.split()):
        if chunk.isalnum():  # \w is str.isalnum() or "_"
            words.add(chunk)
        else:
            words.update(_WORD.findall(chunk))
    return words


def _starts_one(ordered: list[str], start: str) -> bool:
    """Whether a word of this sorted list starts with `start`."""
    index = bisect_left(ordered, start)
    return index < len(ordered) and ordered[index].startswith(start)


def key_spans(text: str, keys: Iterable[Key], limit: int) -> list[tuple[int, int]] | None:
    """Where each key occurs in the text as its kind says (a whole word only between
    non-word characters...), as (start, end); None past `limit` places."""
    spans = []
    for kind, needle in keys:
        at = text.find(needle)
        while at >= 0:
            end = at + len(needle)
            word_before = at > 0 and _is_word(text[at - 1])
            word_after = end < len(text) and _is_word(text[end])
            if not (word_before and kind in (WORD, PREFIX)) and not (
                word_after and kind in (WORD, SUFFIX)
            ):
                spans.append((at, end))
                if len(spans) > limit:
                    return None
            at = text.find(needle, at + 1)
    return spans


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # \w


def may_contain(text: str, clauses: tuple[Clause, ...]) -> bool:
    """A weaker test for one short text (a sentence): every key as a plain substring."""
    return all(any(needle in text for _, needle in clause) for clause in clauses)
