"""The crisis sentence classifier: the net under the rules.

Rules catch the wordings we know; this catches the ones we don't, sentence by
sentence. It is a yes/no model (crisis or not) over the same TF-IDF features as
the intent classifier, trained on:

- crisis sentences by kind (`nlu_data/crisis_kinds.yml`) and the
  `safeguarding_crisis` intent's examples;
- hard negatives (figures of speech, tiredness, anger, games), borderline and
  everyday distress from the same file, and every other intent's examples.

A second small model names the kind, for crisis sentences no rule explains. It
always runs in this process, whichever NLU backend is configured: safety never
waits on another server. A long message's sentences are scored together
(`probabilities`, bot/safety/scoring.py): the same figures as `probability` one
by one, about ten times sooner. Training takes a few seconds; the model is cached under
a hash of its data like the intent classifier.
"""

from __future__ import annotations

import logging
import math
import pickle
from pathlib import Path

from sklearn.pipeline import Pipeline

from bot.nlu.classifier import FastLinear, text_pipeline
from bot.nlu.normalise import normalise
from bot.reading.sentences import fold, fold_many

# The training data lives apart so `check` can read it without scikit-learn; these
# names stay importable from here.
from bot.safety.crisis_training import CRISIS_INTENT as CRISIS_INTENT
from bot.safety.crisis_training import CrisisTraining
from bot.safety.crisis_training import load_crisis_training as load_crisis_training
from bot.safety.scoring import BatchLinear, normalise_many

log = logging.getLogger(__name__)

_MODEL_CACHE: dict[str, CrisisClassifier] = {}


def _prepare(text: str) -> str:
    return normalise(fold(text))


class CrisisClassifier:
    def __init__(self, detector: Pipeline, kinds: Pipeline | None, data_hash: str) -> None:
        self._detector_pipeline = detector
        self._detector = FastLinear(detector)
        self._batch = BatchLinear(detector)
        self._kinds = kinds
        self._kind_labels: list[str] = list(kinds.classes_) if kinds is not None else []
        self._kind_fast = FastLinear(kinds) if kinds is not None else None
        self.data_hash = data_hash

    @classmethod
    def train(cls, training: CrisisTraining) -> CrisisClassifier:
        positives = [t for kind in sorted(training.by_kind) for t in training.by_kind[kind]]
        positives += training.crisis_other
        texts = [_prepare(t) for t in positives + training.not_crisis]
        labels = [1] * len(positives) + [0] * len(training.not_crisis)
        # Balanced: there are more negatives than crises, and a miss is the worst error.
        detector = text_pipeline(C=10, class_weight="balanced")
        detector.fit(texts, labels)
        kinds = None
        labelled = {k: v for k, v in training.by_kind.items() if v}
        if len(labelled) >= 2:
            kind_texts = [_prepare(t) for k in sorted(labelled) for t in labelled[k]]
            kind_labels = [k for k in sorted(labelled) for _ in labelled[k]]
            kinds = text_pipeline(C=10)
            kinds.fit(kind_texts, kind_labels)
        return cls(detector, kinds, training.digest())

    def probability(self, text: str) -> float:
        """How likely this sentence is to describe a crisis (0 to 1)."""
        score = float(self._detector.decision(_prepare(text))[0])
        return 1.0 / (1.0 + math.exp(-score))

    def probabilities(self, texts: list[str]) -> list[float]:
        """probability() of each text, scored together (a long message's sentences at once)."""
        return self.probabilities_folded(fold_many(texts))

    def probabilities_folded(self, folded: list[str]) -> list[float]:
        """probabilities() of texts already through fold() (the screen folds them once)."""
        if not folded:
            return []
        unique = list(dict.fromkeys(folded))  # a message can repeat itself
        scores = self._batch.decisions(normalise_many(unique))[:, 0]
        by_text = {
            text: 1.0 / (1.0 + math.exp(-float(score)))
            for text, score in zip(unique, scores, strict=True)
        }
        return [by_text[text] for text in folded]

    def kind(self, text: str) -> str | None:
        if self._kind_fast is None:
            return None
        row = self._kind_fast.probabilities(_prepare(text))
        return str(self._kind_labels[int(row.argmax())])

    # -- cache ----------------------------------------------------------------

    @classmethod
    def load_or_train(cls, training: CrisisTraining, cache_dir: Path) -> CrisisClassifier:
        data_hash = training.digest()
        if data_hash in _MODEL_CACHE:
            return _MODEL_CACHE[data_hash]
        classifier = cls._load_or_train(training, cache_dir, data_hash)
        _MODEL_CACHE.clear()
        _MODEL_CACHE[data_hash] = classifier
        return classifier

    @classmethod
    def _load_or_train(
        cls, training: CrisisTraining, cache_dir: Path, data_hash: str
    ) -> CrisisClassifier:
        path = cache_dir / f"crisis-{data_hash}.pkl"
        if path.exists():
            try:
                # Our own file, written below for this exact data.
                detector, kinds = pickle.loads(path.read_bytes())
                return cls(detector, kinds, data_hash)
            except Exception:
                log.warning("crisis model cache %s unreadable; retraining", path.name)
        classifier = cls.train(training)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(pickle.dumps((classifier._detector_pipeline, classifier._kinds)))
            temporary.replace(path)
        except OSError:
            log.warning("could not write the crisis model cache to %s", cache_dir)
        return classifier
