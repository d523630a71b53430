"""The in-process intent classifier: TF-IDF features and logistic regression.

Word n-grams catch the phrasing, character n-grams catch typos ("assesment",
"ehpc"). Training takes a few seconds and the model is cached on disk under a
hash of the training data, so a restart with unchanged data loads it instead.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.nlu.normalise import normalise

log = logging.getLogger(__name__)

# Bump when features or model change, so old caches are not reused.
MODEL_VERSION = "tfidf-lr-1"


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str
    confidence: float
    ranking: list[tuple[str, float]]  # best first

    def probability(self, intent: str) -> float:
        return next((p for name, p in self.ranking if name == intent), 0.0)


def word_count(text: str) -> int:
    return len(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text))


def training_hash(examples: dict[str, list[str]]) -> str:
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for intent in sorted(examples):
        digest.update(intent.encode())
        for text in examples[intent]:
            digest.update(b"\0" + text.encode())
    return digest.hexdigest()[:16]


def tfidf_vector(
    text: str,
    analyzer: Callable[[str], list[str]],
    vocabulary: dict[str, int],
    idf: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """One text as a fitted TfidfVectorizer(sublinear_tf=True) would make it, as
    (feature indices, l2-normalised values), without building a sparse matrix;
    None when no term is in the vocabulary."""
    counts: dict[int, int] = {}
    for term in analyzer(text):
        index = vocabulary.get(term)
        if index is not None:
            counts[index] = counts.get(index, 0) + 1
    if not counts:
        return None
    indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float))) * idf[indices]
    values /= np.sqrt(values @ values)
    return indices, values


class FastLinear:
    """Scores one message with the fitted vocabularies, without sparse matrices.

    Same arithmetic as the pipeline (sublinear tf x idf, l2 norm per vectorizer,
    then the linear model), but about 5x faster for a single short message,
    which is what every inbound message needs for crisis screening.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        features: FeatureUnion = pipeline.named_steps["features"]
        model: LogisticRegression = pipeline.named_steps["model"]
        coefficients = model.coef_.T  # (features, intents)
        self._parts = []
        offset = 0
        for _name, vectorizer in features.transformer_list:
            size = len(vectorizer.vocabulary_)
            self._parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    vectorizer.idf_,
                    np.ascontiguousarray(coefficients[offset : offset + size]),
                )
            )
            offset += size
        self._intercept = model.intercept_

    def decision(self, normalised_text: str) -> np.ndarray:
        """The linear model's raw scores (one per class; one in all for a yes/no model)."""
        scores = self._intercept.copy()
        for analyzer, vocabulary, idf, weights in self._parts:
            vector = tfidf_vector(normalised_text, analyzer, vocabulary, idf)
            if vector is not None:
                indices, values = vector
                scores = scores + values @ weights[indices]
        return scores

    def probabilities(self, normalised_text: str) -> np.ndarray:
        scores = self.decision(normalised_text)
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


def text_pipeline(C: float, class_weight: str | None = None) -> Pipeline:
    """Word 1-2 grams for phrasing and character 2-5 grams for typos, then a linear model."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    model = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight)
    return Pipeline([("features", features), ("model", model)])


class IntentClassifier:
    def __init__(self, pipeline: Pipeline, data_hash: str) -> None:
        self._pipeline = pipeline
        self._labels: list[str] = list(pipeline.classes_)
        self._fast = FastLinear(pipeline)
        self.data_hash = data_hash

    @classmethod
    def train(cls, examples: dict[str, list[str]]) -> IntentClassifier:
        texts = [normalise(t) for intent in sorted(examples) for t in examples[intent]]
        labels = [intent for intent in sorted(examples) for _ in examples[intent]]
        pipeline = text_pipeline(C=20)
        pipeline.fit(texts, labels)
        return cls(pipeline, training_hash(examples))

    def predict(self, text: str) -> Prediction:
        return self._prediction(self._fast.probabilities(normalise(text)))

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        """Batch prediction through the scikit-learn pipeline itself (evaluation)."""
        rows = self._pipeline.predict_proba([normalise(t) for t in texts])
        return [self._prediction(row) for row in rows]

    def _prediction(self, row: np.ndarray) -> Prediction:
        order = np.argsort(row)[::-1]
        ranking = [(self._labels[i], float(row[i])) for i in order]
        return Prediction(ranking[0][0], ranking[0][1], ranking)

    # -- cache ----------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps(self._pipeline))
        temporary.replace(path)  # atomic: a half-written cache is never read

    @classmethod
    def load_or_train(cls, examples: dict[str, list[str]], cache_dir: Path) -> IntentClassifier:
        data_hash = training_hash(examples)
        path = cache_dir / f"intents-{data_hash}.pkl"
        if path.exists():
            try:
                # Our own file, written by save() above for this exact data.
                pipeline = pickle.loads(path.read_bytes())
                return cls(pipeline, data_hash)
            except Exception:
                log.warning("NLU cache %s unreadable; retraining", path.name)
        classifier = cls.train(examples)
        try:
            classifier.save(path)
        except OSError:
            log.warning("could not write NLU cache to %s", cache_dir)
        return classifier
