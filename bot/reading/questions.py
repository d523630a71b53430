"""Which sentences of a message ask something.

Parents rarely use a question mark, and put the question last: "he's been out
of school since may what do i do". A sentence asks something when it ends with
"?", starts like a question ("can they", "how long", "is it allowed"), or holds
a phrase that asks ("what do i do", "i want to know", "am i entitled").
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
) -> list[int]:
    """Indexes of whole sentences (not clauses) that ask something, in order."""
    return [
        index
        for index, sentence in enumerate(sentences)
        if not sentence.clause and index not in skip and is_question(sentence)
    ]
