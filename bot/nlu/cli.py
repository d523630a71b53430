"""`python -m bot nlu predict` and `python -m bot nlu eval` (stable interfaces)."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot.config import Settings
from bot.nlu.classifier import IntentClassifier
from bot.nlu.data import TrainingData, load_training_data, read_file
from bot.nlu.evaluate import evaluate
from bot.safety.screen import screen


def _classifier(settings: Settings) -> IntentClassifier:
    data = load_training_data(settings.nlu_data_dir)
    if not data.examples:
        raise SystemExit(f"champion: no NLU training data in {settings.nlu_data_dir}")
    return IntentClassifier.load_or_train(data.examples, settings.classifier_cache_dir)


def predict(settings: Settings, lines: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """One message per input line in, one JSON object per line out."""
    classifier = _classifier(settings)
    for line in lines:
        text = line.rstrip("\n")
        prediction = classifier.predict(text)
        record = {
            "text": text,
            "intent": prediction.intent,
            "confidence": round(prediction.confidence, 4),
            "crisis": screen(text, prediction).crisis,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def held_out(settings: Settings) -> TrainingData:
    data = TrainingData()
    test_dir = settings.nlu_data_dir / "test"
    for path in sorted(test_dir.glob("*.yml")):
        read_file(path, f"test/{path.name}", data)
    return data


def run_eval(settings: Settings, out: TextIO = sys.stdout, as_json: bool = False) -> int:
    classifier = _classifier(settings)
    test = held_out(settings)
    if not test.examples:
        print(
            f"champion: no held-out examples in {settings.nlu_data_dir / 'test'}", file=sys.stderr
        )
        return 1
    gold = [intent for intent in test.examples for _ in test.examples[intent]]
    texts = [text for intent in test.examples for text in test.examples[intent]]
    result = evaluate(gold, texts, [classifier.predict(t) for t in texts])
    if as_json:
        out.write(json.dumps(result.as_dict(), indent=2) + "\n")
        return 0
    print(f"held-out examples: {result.examples}", file=out)
    print(f"accuracy: {result.accuracy:.3f}", file=out)
    print(f"macro F1: {result.macro_f1:.3f}", file=out)
    print(
        f"crisis recall: {result.crisis_recall:.3f}  "
        f"false alarms: {result.crisis_false_alarm_rate:.1%} ({len(result.false_alarms)})",
        file=out,
    )
    print(f"{'intent':28s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'n':>4s}", file=out)
    for name, score in sorted(result.per_intent.items()):
        figures = f"{score.precision:9.3f} {score.recall:7.3f} {score.f1:6.3f} {score.support:4d}"
        print(f"{name:28s} {figures}", file=out)
    for text in result.missed_crises:
        print(f"MISSED CRISIS: {text}", file=out)
    return 0
