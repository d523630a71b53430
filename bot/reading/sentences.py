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
from dataclasses import dataclass

# Hard breaks: sentence punctuation followed by a space, line breaks, semicolons,
# spaced dashes, and emoji or other pictographs (often used instead of a full stop).
_HARD_BREAK = re.compile(
    r"(?:(?<=[.!?…])\s+)"
    r"|(?:\s*[\r\n]+\s*)"
    r"|(?:\s*;\s*)"
    r"|(?:\s+[-–—]+\s+)"
    r"|(?:\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+\s*)"
)
# Where one clause ends and another starts inside a long run-on sentence.
_CLAUSE_BREAK = re.compile(
    r"\s+(?=(?:and|but|so|because|cos|coz|cause|then|also|plus|tbh|honestly|idk|"
    r"lol|omg|anyway|now|which|although|though|whereas|while|when|if|or)\b)",
    re.IGNORECASE,
)
# A run-on is cut into clauses once it is this many words long.
CLAUSE_MIN_WORDS = 10
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence or clause: its text and where it sits in the message."""

    text: str
    start: int
    end: int
    clause: bool = False  # cut from a longer sentence at a conjunction

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


# Contractions typed without the apostrophe ("cant", "dont", "im"), so rules and
# the classifier see one spelling. "ill" and "id" are real words and are left.
_BARE_CONTRACTION = re.compile(
    r"\b(can|don|won|isn|hasn|haven|didn|wasn|doesn|couldn|wouldn|shouldn|aren|weren|hadn|ain)t\b"
)
_BARE_PRONOUN = {"im": "i'm", "ive": "i've", "hes": "he's", "shes": "she's", "theyre": "they're"}
_BARE_PRONOUN_PATTERN = re.compile(r"\b(" + "|".join(_BARE_PRONOUN) + r")\b")


def fold(text: str) -> str:
    """One form for matching: NFKC, lower case, straight quotes, apostrophes, single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'").replace("´", "'")
    folded = _BARE_CONTRACTION.sub(r"\1't", folded)
    folded = _BARE_PRONOUN_PATTERN.sub(lambda m: _BARE_PRONOUN[m.group(1)], folded)
    return re.sub(r"\s+", " ", folded).strip()


def _pieces(text: str, pattern: re.Pattern[str], offset: int) -> list[tuple[str, int, int]]:
    found = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            found.append((text[position : match.start()], offset + position))
        position = max(position, match.end())
    if position < len(text):
        found.append((text[position:], offset + position))
    pieces = []
    for piece, start in found:
        stripped = piece.strip(" \t,.")
        if not stripped or not any(c.isalnum() for c in stripped):
            continue
        lead = piece.index(stripped[0])
        pieces.append((stripped, start + lead, start + lead + len(stripped)))
    return pieces


def split_sentences(text: str) -> list[Sentence]:
    """The message's sentences in order, each followed by its clauses when it is long."""
    sentences: list[Sentence] = []
    for piece, start, end in _pieces(text, _HARD_BREAK, 0):
        sentence = Sentence(piece, start, end)
        sentences.append(sentence)
        if sentence.words < CLAUSE_MIN_WORDS:
            continue
        # A clause of one word ("and" before "tbh") says nothing on its own.
        clauses = [c for c in _pieces(piece, _CLAUSE_BREAK, start) if len(_WORD.findall(c[0])) > 1]
        if len(clauses) > 1:
            sentences.extend(Sentence(c, s, e, clause=True) for c, s, e in clauses)
    return sentences
