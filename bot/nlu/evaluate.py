"""Held-out evaluation: accuracy, per-intent F1, and crisis recall and false alarms."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.nlu.classifier import Prediction
from bot.safety.classifier import CRISIS_INTENT


@dataclass(slots=True)
class IntentScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class Evaluation:
    examples: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, IntentScore] = field(default_factory=dict)
    crisis_recall: float = 0.0
    crisis_false_alarm_rate: float = 0.0
    missed_crises: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "examples": self.examples,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "crisis_recall": round(self.crisis_recall, 4),
            "crisis_false_alarm_rate": round(self.crisis_false_alarm_rate, 4),
            "missed_crises": self.missed_crises,
            "per_intent": {
                name: {
                    "precision": round(s.precision, 3),
                    "recall": round(s.recall, 3),
                    "f1": round(s.f1, 3),
                    "support": s.support,
                }
                for name, s in sorted(self.per_intent.items())
            },
        }


def evaluate(
    gold: list[str], texts: list[str], predictions: list[Prediction], flagged: list[bool]
) -> Evaluation:
    """`flagged`: whether the chat's own screening (bot/reading) called each text a crisis."""
    intents = sorted(set(gold) | {p.intent for p in predictions})
    per_intent: dict[str, IntentScore] = {}
    for intent in intents:
        true_positive = sum(
            1 for g, p in zip(gold, predictions, strict=True) if g == p.intent == intent
        )
        predicted = sum(1 for p in predictions if p.intent == intent)
        actual = sum(1 for g in gold if g == intent)
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = IntentScore(precision, recall, f1, actual)
    scored = [s for s in per_intent.values() if s.support]
    correct = sum(1 for g, p in zip(gold, predictions, strict=True) if g == p.intent)
    crises = [i for i, g in enumerate(gold) if g == CRISIS_INTENT]
    others = [i for i, g in enumerate(gold) if g != CRISIS_INTENT]
    missed = [texts[i] for i in crises if not flagged[i]]
    alarms = [texts[i] for i in others if flagged[i]]
    return Evaluation(
        examples=len(gold),
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=sum(s.f1 for s in scored) / len(scored) if scored else 0.0,
        per_intent=per_intent,
        crisis_recall=1 - len(missed) / len(crises) if crises else 1.0,
        crisis_false_alarm_rate=len(alarms) / len(others) if others else 0.0,
        missed_crises=missed,
        false_alarms=alarms,
    )
