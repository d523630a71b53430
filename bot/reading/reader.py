"""Reads a message once: sentences, the safety screen, and the question asked.

Needs no database and no network, so the dispatcher runs it before loading
anything: a parent in crisis gets the numbers even when nothing else works.
`python -m bot nlu predict` uses the same reader, so what it reports is what the
chat does.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reading.questions import question_sentences
from bot.reading.sentences import Sentence, split_sentences
from bot.safety.classifier import CrisisClassifier
from bot.safety.history import settled_history
from bot.safety.rules import RuleSet, built_in_rules
from bot.safety.screen import Screening, screen


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    sentences: list[Sentence]
    screening: Screening
    questions: list[Sentence]  # sentences that ask something, not the ones carrying risk

    @property
    def question(self) -> Sentence | None:
        return self.questions[0] if self.questions else None

    @property
    def crisis(self) -> bool:
        return self.screening.crisis


class MessageReader:
    def __init__(self, classifier: CrisisClassifier | None, classify_chars: int = 4000) -> None:
        self.classifier = classifier
        self._classify_chars = classify_chars

    def read(self, text: str, rules: RuleSet | None = None) -> Reading:
        """Screen the whole text and every sentence; find the questions that are not the risk."""
        sentences = split_sentences(text)
        screening = screen(
            text, sentences, rules or built_in_rules(), self.classifier, self._classify_chars
        )
        screening = settled_history(text, sentences, screening)
        risky = set(screening.risky_sentences)
        # A clause that carried the risk also rules out the sentence it came from.
        for index in list(risky):
            clause = sentences[index]
            for other, sentence in enumerate(sentences):
                if sentence.contains(clause):
                    risky.add(other)
        asked = question_sentences(sentences, risky)
        return Reading(text, sentences, screening, asked)
