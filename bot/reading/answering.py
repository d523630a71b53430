"""Route or answer: which answer card a parent's question gets, if any.

The reader has already found the sentences that ask something (questions.py).
The first question is answered; a second one is offered as a button. The rest of
the message is context. A confident best card is answered with its key fact
first; a close call between cards, or a weak match, asks "Are you asking
about...?" with the top three; nothing near enough is an honest "I don't know
that one", with a person to ask. Never a wrong fact stated confidently.

The thresholds were chosen on the cards' own questions, one left out at a time
(`python -m benchmarks.answers --leave-one-out`), never on the held-out set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.knowledge.answer_index import AnswerHit, AnswerIndex

# A best card scoring at least this is answered...
ANSWER_MIN_SCORE = 0.2
# A runner-up this close behind is offered beside the answer (often the same fact,
# worded for another situation; sometimes what the parent meant).
CLOSE_CALL_MARGIN = 0.03
# Below this, an answer also offers the runners-up as buttons, one tap away.
SURE_SCORE = 0.45
# Below ANSWER_MIN_SCORE but at least this: "Are you asking about...?"
SUGGEST_MIN_SCORE = 0.17
# A message that does not look like a question is answered only on a strong match
# (otherwise it goes to its topic, as a statement like "he was excluded today" should).
STATEMENT_MIN_SCORE = 0.35
SUGGESTIONS = 3
OUT_OF_SCOPE = "out_of_scope"
# When the intent classifier's best guess is that the message is off-topic (or it
# gives that at least this probability), only a card matching at least
# OFF_TOPIC_MIN_SCORE is answered: a SEND card near a question about something
# else would be an unrelated fact.
OFF_TOPIC_PROBABILITY = 0.35
OFF_TOPIC_MIN_SCORE = 0.38
# A question (this many words at most) with a word the knowledge base never uses
# ("blue badge", "Birmingham") is probably about something it does not cover: below
# UNKNOWN_WORD_MIN_SCORE we say we don't know. Higher, a paraphrase ("presumed" for
# "assumes") would lose its answer: 0.31 keeps the cards' own tests answered.
# In a long message the question is one part of a story, whose words are the
# parent's own ("pda", "cochlear"), so the rule is for short messages only.
UNKNOWN_WORD_QUESTION_WORDS = 20
UNKNOWN_WORD_MESSAGE_WORDS = 40
UNKNOWN_WORD_MIN_SCORE = 0.31


@dataclass(frozen=True, slots=True)
class AnswerChoice:
    kind: str  # "answer", "unsure" or "unknown"
    hits: list[AnswerHit] = field(default_factory=list)
    # The best card for a second question in the same message, offered as a button.
    second: AnswerHit | None = None
    # Answered, but not surely: the runners-up, offered as buttons ("or were you asking...").
    alternatives: list[AnswerHit] = field(default_factory=list)

    @property
    def best(self) -> AnswerHit | None:
        return self.hits[0] if self.hits else None


def choose_answer(
    index: AnswerIndex,
    questions: Sequence[str],
    context: str,
    intent_prior: Mapping[str, float] | None = None,
    asked: bool = True,
) -> AnswerChoice:
    """The card for the first question (with the message as context), and one for the next."""
    if not questions:
        return AnswerChoice("unknown")
    hits = index.rank(questions[0], context, intent_prior)
    if not hits:
        return AnswerChoice("unknown")
    best = hits[0]
    second = None
    if len(questions) > 1:
        other = index.rank(questions[1], context, intent_prior, limit=1)
        if other and other[0].score >= ANSWER_MIN_SCORE and other[0].answer_id != best.answer_id:
            second = other[0]
    prior = intent_prior or {}
    off_topic = prior.get(OUT_OF_SCOPE, 0.0)
    if prior and max(prior, key=prior.__getitem__) == OUT_OF_SCOPE:
        off_topic = 1.0
    unknown = 0
    if (
        len(questions[0].split()) <= UNKNOWN_WORD_QUESTION_WORDS
        and len(context.split()) <= UNKNOWN_WORD_MESSAGE_WORDS
    ):
        unknown = len(index.unknown_words(questions[0]))
    kind = decide(hits, asked, off_topic, unknown)
    if kind != "answer":
        return AnswerChoice(kind, hits[:SUGGESTIONS], second)
    alternatives = []
    if best.score < SURE_SCORE or (
        len(hits) > 1 and best.score - hits[1].score < CLOSE_CALL_MARGIN
    ):
        alternatives = [hit for hit in hits[1:SUGGESTIONS] if hit.score >= SUGGEST_MIN_SCORE]
    return AnswerChoice(kind, hits, second, alternatives)


def decide(
    hits: Sequence[AnswerHit], asked: bool = True, off_topic: float = 0.0, unknown: int = 0
) -> str:
    """What to do with ranked cards (best first): "answer", "unsure" or "unknown".

    `off_topic` is the intent classifier's probability that the message is out of
    scope; `unknown`, how many words of the question the knowledge base never uses."""
    if not hits or hits[0].score < SUGGEST_MIN_SCORE:
        return "unknown"
    best = hits[0]
    if off_topic >= OFF_TOPIC_PROBABILITY and best.score < OFF_TOPIC_MIN_SCORE:
        return "unknown"
    if unknown and best.score < UNKNOWN_WORD_MIN_SCORE:
        return "unknown"
    needed = ANSWER_MIN_SCORE if asked else STATEMENT_MIN_SCORE
    return "answer" if best.score >= needed else "unsure"
