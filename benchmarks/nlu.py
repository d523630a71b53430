"""NLU figures for the issue: training time, predict latency, held-out quality.

    .venv/bin/python -m benchmarks.nlu

Training is timed from scratch (no cache). Latency is one message at a time
through `IntentClassifier.predict`, as the dispatcher calls it, over every
held-out message repeated 20 times.
"""

from __future__ import annotations

import json
import time

from benchmarks.timing import percentile_ms
from bot.config import PROJECT_ROOT
from bot.nlu.classifier import IntentClassifier
from bot.nlu.data import TrainingData, load_training_data, read_file
from bot.nlu.evaluate import evaluate

DATA = PROJECT_ROOT / "nlu_data"
RESULTS = PROJECT_ROOT / "benchmarks" / "results"


def main() -> None:
    train = load_training_data(DATA)
    test = TrainingData()
    for path in sorted((DATA / "test").glob("*.yml")):
        read_file(path, path.name, test)
    texts = [t for i in test.examples for t in test.examples[i]]
    gold = [i for i in test.examples for _ in test.examples[i]]

    trainings = []
    for _ in range(3):
        started = time.perf_counter()
        classifier = IntentClassifier.train(train.examples)
        trainings.append(time.perf_counter() - started)

    latencies = []
    for _ in range(20):
        for text in texts:
            started = time.perf_counter()
            classifier.predict(text)
            latencies.append(time.perf_counter() - started)

    result = evaluate(gold, texts, [classifier.predict(t) for t in texts])
    figures = {
        "training_examples": sum(len(v) for v in train.examples.values()),
        "held_out_examples": len(texts),
        "training_seconds_best_of_3": round(min(trainings), 2),
        "predict_p50_ms": round(percentile_ms(latencies, 0.50), 3),
        "predict_p99_ms": round(percentile_ms(latencies, 0.99), 3),
        "accuracy": round(result.accuracy, 3),
        "macro_f1": round(result.macro_f1, 3),
        "crisis_recall": round(result.crisis_recall, 3),
        "crisis_false_alarm_rate": round(result.crisis_false_alarm_rate, 4),
        "crisis_false_alarms": result.false_alarms,
    }
    for key, value in figures.items():
        print(f"{key}: {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
