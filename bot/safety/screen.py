"""Decides whether a message is a crisis: rules first, then the classifier.

A message is a crisis when any rule matches, or when the classifier gives the
`safeguarding_crisis` intent at least CLASSIFIER_THRESHOLD. The threshold was set
from the held-out set (`python -m bot nlu eval` prints the figures): the lowest
crisis example there scores 0.34, so 0.25 keeps the classifier alone at full
recall with a margin, while short off-topic messages ("something unrelated",
0.18) no longer raise false alarms. Recall is never traded for fewer alarms:
if new held-out crisis examples score lower, lower the threshold.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.nlu.classifier import Prediction, word_count
from bot.safety.rules import matching_categories

log = logging.getLogger(__name__)

CRISIS_INTENT = "safeguarding_crisis"
CLASSIFIER_THRESHOLD = 0.25
# One or two words ("my son") give the classifier too little to go on: it scored
# "my son" 0.26. Short explicit crisis words ("suicide", "overdose") are rules.
CLASSIFIER_MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Screening:
    crisis: bool
    reasons: tuple[str, ...] = ()  # rule categories, or "classifier"


def screen(text: str, prediction: Prediction | None) -> Screening:
    reasons = list(matching_categories(text))
    if (
        prediction is not None
        and prediction.probability(CRISIS_INTENT) >= CLASSIFIER_THRESHOLD
        and word_count(text) >= CLASSIFIER_MIN_WORDS
    ):
        reasons.append("classifier")
    return Screening(bool(reasons), tuple(reasons))
