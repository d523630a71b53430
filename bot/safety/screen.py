"""Decides whether a message is a crisis: rules first, then the classifier.

A message is a crisis when any rule matches, or when the classifier gives the
`safeguarding_crisis` intent at least CLASSIFIER_THRESHOLD. That threshold is set
from the held-out set (see `python -m bot nlu eval`): the lowest value that still
catches every crisis example there, never traded up for fewer false alarms.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.nlu.classifier import Prediction
from bot.safety.rules import matching_categories

log = logging.getLogger(__name__)

CRISIS_INTENT = "safeguarding_crisis"
CLASSIFIER_THRESHOLD = 0.15


@dataclass(frozen=True, slots=True)
class Screening:
    crisis: bool
    reasons: tuple[str, ...] = ()  # rule categories, or "classifier"


def screen(text: str, prediction: Prediction | None) -> Screening:
    reasons = list(matching_categories(text))
    if prediction is not None and prediction.probability(CRISIS_INTENT) >= CLASSIFIER_THRESHOLD:
        reasons.append("classifier")
    return Screening(bool(reasons), tuple(reasons))
