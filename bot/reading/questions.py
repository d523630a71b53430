"""Which sentences of a message ask something.

Parents rarely use a question mark, and put the question last: "he's been out
of school since may what do i do". A sentence asks something when it ends with
"?", starts like a question ("can they", "how long", "is it allowed"), or holds
a phrase that asks ("what do i do", "i want to know", "am i entitled").

Long messages are often one comma-spliced sentence with the question at its end
("... nobody has given me any paperwork, can they do this"), so when a sentence
does not ask as a whole, its last comma-separated part that asks is the question.
"""

from __future__ import annotations

import re

from bot.reading.sentences import Sentence, fold

_OPENERS = re.compile(
    r"^(?:(?:hi|hello|so|and|but|also|please|ok|okay|right|basically|sorry|just|tbh)[, ]+)*"
    r"(?:how|what|whats|what's|when|where|why|who|whose|which|can|could|do|does|did|is|isn't|are|"
    r"aren't|should|shall|will|would|have|has|am|may|must|might|was|were|any ?one|anybody)\b"
)
_ASKING = re.compile(
    r"\b(?:what (?:do|can|should|shall) (?:i|we)|what are (?:my|our) (?:rights|options)|"
    r"is (?:it|that|this) (?:allowed|legal|lawful|ok|okay|right|normal)|is there (?:a|any)|"
    r"(?:i|we) (?:want|need|would like|'d like) to know|(?:i'm|i am|we're|just) wondering|"
    r"am i (?:entitled|allowed|right)|(?:can|could) (?:you|someone) (?:tell|help|explain)|"
    r"how (?:long|do|can|much|many|often|soon)|do (?:i|we) have to|any (?:advice|ideas|help)|"
    r"where do (?:i|we)|who do (?:i|we)|not sure (?:what|how|if|whether|where|who))\b"
)
_COMMA_PARTS = re.compile(r"[^,]+")
# Too short to be a question on its own ("why?", "ok?").
MIN_WORDS = 2


def is_question(sentence: Sentence) -> bool:
    if sentence.words < MIN_WORDS:
        return False
    if sentence.text.rstrip().endswith("?"):
        return True
    folded = fold(sentence.text)
    return bool(_OPENERS.match(folded) or _ASKING.search(folded))


def question_sentences(
    sentences: list[Sentence], skip: set[int] | frozenset[int] = frozenset()
) -> list[Sentence]:
    """The parts of the message that ask something, in order: whole sentences (not
    clauses), or the asking tail of a comma-spliced one."""
    risky_clauses = [sentences[i] for i in skip if sentences[i].clause]
    asked = []
    for index, sentence in enumerate(sentences):
        if sentence.clause:
            continue
        if index not in skip and is_question(sentence):
            asked.append(sentence)
            continue
        # A sentence that carried the risk can still end with a question of its own
        # ("..., what do i do"); it is asked when no risky clause overlaps it.
        tail = _asking_tail(sentence)
        if (
            tail is not None
            and not any(_overlap(tail, c) for c in risky_clauses)
            and (index not in skip or not _only_part(sentence, risky_clauses))
        ):
            asked.append(tail)
    return asked


def _overlap(one: Sentence, other: Sentence) -> bool:
    return one.start < other.end and other.start < one.end


def _only_part(sentence: Sentence, risky_clauses: list[Sentence]) -> bool:
    """A risky sentence none of whose clauses was flagged: the risk may be anywhere in it."""
    return not any(sentence.start <= c.start and c.end <= sentence.end for c in risky_clauses)


def _asking_tail(sentence: Sentence) -> Sentence | None:
    """The last comma-separated part of a sentence that asks something, if any."""
    parts = [m for m in _COMMA_PARTS.finditer(sentence.text) if m.group().strip()]
    if len(parts) < 2:
        return None
    for match in reversed(parts):
        text = match.group().strip()
        lead = match.group().index(text[0])
        part = Sentence(
            text,
            sentence.start + match.start() + lead,
            sentence.start + match.start() + lead + len(text),
        )
        if is_question(part):
            return part
    return None
