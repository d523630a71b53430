"""Split a parent's message into sentences and clauses, once, for every reader.

Parents write on phones: no full stops, line breaks instead, emoji between
thoughts, "tbh", long run-ons joined by "and". A crisis or a question is often
one clause of such a message, so the safety screen and the answer finder both
read these pieces (as well as the whole text), never a different split.

Pieces overlap on purpose: a long sentence is also cut at its conjunctions, so a
clause such as "and she said she wants to die" is read on its own too. Each piece
keeps its place in the original text, so a reader can tell which sentence asked
the question and which carried the risk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Hard breaks: sentence punctuation followed by a space, line breaks, semicolons,
# spaced dashes, and emoji or other pictographs (often used instead of a full stop).
_HARD_BREAK = re.compile(
    r"(?:(?<=[.!?…])\s+)"
    r"|(?:\s*[\r\n]+\s*)"
    r"|(?:\s*;\s*)"
    r"|(?:\s+[-–—]+\s+)"
    r"|(?:\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+\s*)"
)
# Every hard break has one of these next to or inside it. `re` tries _HARD_BREAK at
# every character of the message (about 0.7 ms for 4,000 characters); finding these
# first and trying it only where a break could start gives the same breaks, faster.
_BREAK_SIGN = re.compile(r"[.!?…\r\n;\-–—\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")
_AFTER_SIGN = frozenset(".!?…")  # a break starts just after one of these (the first form)
# Where one clause ends and another starts inside a long run-on sentence.
_CONJUNCTIONS = (
    "and|but|so|because|cos|coz|cause|then|also|plus|tbh|honestly|idk|"
    "lol|omg|anyway|now|which|although|though|whereas|while|when|if|or"
)
_CLAUSE_BREAK = re.compile(rf"\s+(?=(?:{_CONJUNCTIONS})\b)", re.IGNORECASE)
# The same breaks, written so that `re` can skip quickly to spaces (a pattern that
# starts with one character class), then to spaces before a conjunction's first letter.
_FIRST_LETTERS = "".join(sorted({word[0] for word in _CONJUNCTIONS.split("|")}))
_CLAUSE_BREAK_FAST = re.compile(
    rf"\s\s*(?=[{_FIRST_LETTERS}])(?=(?:{_CONJUNCTIONS})\b)", re.IGNORECASE
)
# A run-on is cut into clauses once it is this many words long.
CLAUSE_MIN_WORDS = 10
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_ALNUM = re.compile(r"[^\W_]")  # a letter or digit: \w is str.isalnum() or "_"


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence or clause: its text and where it sits in the message."""

    text: str
    start: int
    end: int
    clause: bool = False  # cut from a longer sentence at a conjunction
    # Counted once, on first use: the screen and the question finder both ask.
    _words: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def words(self) -> int:
        if self._words < 0:
            object.__setattr__(self, "_words", count_words(self.text))
        return self._words

    def contains(self, other: Sentence) -> bool:
        """Whether `other` lies within this sentence (a clause cut from it, or itself)."""
        return self.start <= other.start and other.end <= self.end


# Contractions typed without the apostrophe ("cant", "dont", "im"), so rules and
# the classifier see one spelling. "ill" and "id" are real words and are left.
_BARE_CONTRACTION = re.compile(
    r"\b(can|don|won|isn|hasn|haven|didn|wasn|doesn|couldn|wouldn|shouldn|aren|weren|hadn|ain)t\b"
)
_BARE_PRONOUN = {"im": "i'm", "ive": "i've", "hes": "he's", "shes": "she's", "theyre": "they're"}
_BARE_PRONOUN_PATTERN = re.compile(r"\b(" + "|".join(_BARE_PRONOUN) + r")\b")


_SEPARATOR = "\0"


def count_words(text: str) -> int:
    """len(_WORD.findall(text)), five times faster.

    No word holds a space, so the text's whitespace-separated chunks are counted
    apart; a chunk of letters and digits only is one word, without a regex.
    """
    return sum(1 if chunk.isalnum() else len(_WORD.findall(chunk)) for chunk in text.split())


# The texts the last fold_many(..., remember=True) folded, and their folds: the
# question finder folds the sentences the screen has just folded. Only that one
# message is kept, until the next; the result is the same either way.
_last_folded: dict[str, str] = {}


def fold(text: str) -> str:
    """One form for matching: NFKC, lower case, straight quotes, apostrophes, single spaces."""
    known = _last_folded.get(text)
    return known if known is not None else _fold(text)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'").replace("´", "'")
    folded = _BARE_CONTRACTION.sub(r"\1't", folded)
    folded = _BARE_PRONOUN_PATTERN.sub(lambda m: _BARE_PRONOUN[m.group(1)], folded)
    return " ".join(folded.split())  # as re.sub(r"\s+", " ", folded).strip(), sooner


def fold_many(texts: list[str], *, remember: bool = False) -> list[str]:
    """fold() of each text, in one pass over them all (the same result, several times faster).

    The texts are joined with NUL, which no step of fold() can change, join across
    or produce: it is not a space, a word character or a quote, and in Unicode
    normalisation it neither composes nor reorders with its neighbours. With
    `remember`, fold() answers for these texts from memory until the next such call.
    """
    folded = _fold_all(texts)
    if remember:
        global _last_folded
        _last_folded = dict(zip(texts, folded, strict=True))
    return folded


def _fold_all(texts: list[str]) -> list[str]:
    if not texts:
        return []
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds a NUL itself
        return [_fold(text) for text in texts]
    folded = unicodedata.normalize("NFKC", joined).casefold()
    folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'").replace("´", "'")
    folded = _BARE_CONTRACTION.sub(r"\1't", folded)
    folded = _BARE_PRONOUN_PATTERN.sub(lambda m: _BARE_PRONOUN[m.group(1)], folded)
    return [" ".join(piece.split()) for piece in folded.split(_SEPARATOR)]


def _hard_breaks(text: str) -> list[tuple[int, int]]:
    """Where _HARD_BREAK matches, as `finditer` would find them.

    Every break either starts just after . ! ? or … or takes in a line break, a
    semicolon, a dash or an emoji, together with the run of spaces before it (a
    break found anywhere else inside that run would have been found at its
    start), or starts at the semicolon or emoji when an earlier break took the
    spaces. So the pattern is tried only at those places, in order.
    """
    starts = set()
    for sign in _BREAK_SIGN.finditer(text):
        position = sign.start()
        if sign.group() in _AFTER_SIGN:
            starts.add(position + 1)
            continue
        starts.add(position)  # a semicolon or an emoji right after an earlier break
        while position and text[position - 1].isspace():
            position -= 1
        starts.add(position)
    breaks = []
    reached = 0
    for start in sorted(starts):
        if start < reached:
            continue
        match = _HARD_BREAK.match(text, start)
        if match:
            breaks.append(match.span())
            reached = match.end()
    return breaks


def _clause_breaks(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _CLAUSE_BREAK_FAST.finditer(text)]


def _pieces(text: str, breaks: list[tuple[int, int]], offset: int) -> list[tuple[str, int, int]]:
    found = []
    position = 0
    for break_start, break_end in breaks:
        if break_start > position:
            found.append((text[position:break_start], offset + position))
        position = max(position, break_end)
    if position < len(text):
        found.append((text[position:], offset + position))
    pieces = []
    for piece, start in found:
        stripped = piece.strip(" \t,.")
        if not _ALNUM.search(stripped):  # empty, or nothing but punctuation
            continue
        lead = piece.index(stripped[0])
        pieces.append((stripped, start + lead, start + lead + len(stripped)))
    return pieces


def split_sentences(text: str) -> list[Sentence]:
    """The message's sentences in order, each followed by its clauses when it is long."""
    sentences: list[Sentence] = []
    for piece, start, end in _pieces(text, _hard_breaks(text), 0):
        sentence = Sentence(piece, start, end)
        sentences.append(sentence)
        if sentence.words < CLAUSE_MIN_WORDS:
            continue
        # A clause of one word ("and" before "tbh") says nothing on its own.
        clauses = []
        for clause, clause_start, clause_end in _pieces(piece, _clause_breaks(piece), start):
            words = count_words(clause)
            if words > 1:
                clauses.append(_counted(Sentence(clause, clause_start, clause_end, True), words))
        if len(clauses) > 1:
            sentences.extend(clauses)
    return sentences


def _counted(sentence: Sentence, words: int) -> Sentence:
    """The sentence with its words already counted (they were, to choose it)."""
    object.__setattr__(sentence, "_words", words)
    return sentence
