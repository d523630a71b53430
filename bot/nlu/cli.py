"""`python -m bot nlu predict` and `python -m bot nlu eval` (stable interfaces)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TextIO

from bot.config import Settings
from bot.nlu.classifier import IntentClassifier
from bot.nlu.crisis_sets import CRISIS_SETS, DEFAULT_CRISIS_SETS, FIGURES_ONLY
from bot.nlu.data import TrainingData, load_training_data, read_file
from bot.nlu.evaluate import evaluate
from bot.reading.reader import MessageReader
from bot.safety.evaluate import evaluate_set, load_set, report_lines


def _classifier(settings: Settings) -> IntentClassifier:
    data = load_training_data(settings.nlu_data_dir)
    if not data.examples:
        raise SystemExit(f"champion: no NLU training data in {settings.nlu_data_dir}")
    return IntentClassifier.load_or_train(data.examples, settings.classifier_cache_dir)


def _reader(settings: Settings) -> MessageReader:
    from bot.services import start_reader

    return start_reader(settings)


def _messages(lines: TextIO, jsonl: bool) -> Iterator[str]:
    """One message per line, or with --jsonl one JSON string (or {"text": ...}) per line."""
    for line in lines:
        if not jsonl:
            yield line.rstrip("\n")
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"champion: --jsonl wants one JSON string per line ({exc})") from None
        yield str(value.get("text", "")) if isinstance(value, dict) else str(value)


def predict(
    settings: Settings, lines: TextIO = sys.stdin, out: TextIO = sys.stdout, jsonl: bool = False
) -> int:
    """One message in, one JSON object out, with the same screening the chat applies."""
    classifier = _classifier(settings)
    reader = _reader(settings)
    for text in _messages(lines, jsonl):
        prediction = classifier.predict(text)
        reading = reader.read(text)
        question = reading.question
        question_intent = None
        if question is not None:
            question_intent = classifier.predict(question.text).intent
        record = {
            "text": text,
            "intent": prediction.intent,
            "confidence": round(prediction.confidence, 4),
            "crisis": reading.crisis,
            "crisis_kinds": list(reading.screening.kinds),
            "question_intent": question_intent,
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


def run_eval(
    settings: Settings,
    out: TextIO = sys.stdout,
    as_json: bool = False,
    crisis_sets: tuple[str, ...] = DEFAULT_CRISIS_SETS,
) -> int:
    classifier = _classifier(settings)
    test = held_out(settings)
    if not test.examples:
        print(
            f"champion: no held-out examples in {settings.nlu_data_dir / 'test'}", file=sys.stderr
        )
        return 1
    reader = _reader(settings)
    gold = [intent for intent in test.examples for _ in test.examples[intent]]
    texts = [text for intent in test.examples for text in test.examples[intent]]
    flagged = [reader.read(t).crisis for t in texts]
    result = evaluate(gold, texts, [classifier.predict(t) for t in texts], flagged)
    crisis_results = []
    for name in crisis_sets:
        path = settings.nlu_data_dir / CRISIS_SETS[name]
        if path.exists():
            evaluation = evaluate_set(CRISIS_SETS[name], load_set(path), reader)
            crisis_results.append((evaluation, name not in FIGURES_ONLY))
    if as_json:
        body = result.as_dict() | {
            "crisis_sets": [r.as_dict(show_messages) for r, show_messages in crisis_results]
        }
        out.write(json.dumps(body, indent=2) + "\n")
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
    for crisis_result, show_messages in crisis_results:
        for line in report_lines(crisis_result, show_messages):
            print(line, file=out)
    return 0
