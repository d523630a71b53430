"""The NLU the rest of the service talks to, whichever backend is configured.

- `inprocess` (default): the scikit-learn classifier trained from nlu_data/ at
  start, or loaded from its cache when the data has not changed.
- `rasa`: a Rasa server's `POST /model/parse`, trained on the same nlu_data/.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Protocol

import httpx

from bot.nlu.classifier import IntentClassifier, Prediction
from bot.nlu.data import load_training_data
from bot.nlu.intents import INTENTS

log = logging.getLogger(__name__)


class NluBackend(Protocol):
    async def predict(self, text: str) -> Prediction: ...

    async def close(self) -> None: ...


class InProcessNlu:
    def __init__(self, classifier: IntentClassifier) -> None:
        self.classifier = classifier

    @classmethod
    def from_data(cls, data_dir: Path, cache_dir: Path) -> InProcessNlu:
        data = load_training_data(data_dir)
        if not data.examples:
            raise ValueError(f"no NLU training examples found in {data_dir}")
        started = time.perf_counter()
        classifier = IntentClassifier.load_or_train(data.examples, cache_dir)
        log.info(
            "NLU ready in %.1fs (%d intents, data %s)",
            time.perf_counter() - started,
            len(data.examples),
            classifier.data_hash,
        )
        return cls(classifier)

    async def predict(self, text: str) -> Prediction:
        # Under a millisecond (see benchmarks/nlu.py), so it runs on the loop.
        return self.classifier.predict(text)

    async def close(self) -> None:
        return None


class RasaNlu:
    """Talks to a Rasa 3.x server trained on nlu_data/ (`rasa run --enable-api`)."""

    def __init__(self, base_url: str, timeout: float = 2.0) -> None:
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def predict(self, text: str) -> Prediction:
        response = await self._client.post("/model/parse", json={"text": text})
        response.raise_for_status()
        body = response.json()
        ranking = [
            (str(item["name"]), float(item["confidence"]))
            for item in body.get("intent_ranking") or []
            if item.get("name") in INTENTS
        ]
        top = body.get("intent") or {}
        if not ranking and top.get("name") in INTENTS:
            ranking = [(str(top["name"]), float(top.get("confidence", 0.0)))]
        if not ranking:
            ranking = [("out_of_scope", 0.0)]
        ranking.sort(key=lambda pair: pair[1], reverse=True)
        return Prediction(ranking[0][0], ranking[0][1], ranking)

    async def close(self) -> None:
        await self._client.aclose()


async def safe_predict(backend: NluBackend, text: str) -> Prediction | None:
    """A prediction, or None if the backend failed: rules and menus still work then."""
    try:
        return await asyncio.wait_for(backend.predict(text), timeout=3)
    except Exception as exc:
        log.warning("NLU backend failed (%s); carrying on without it", type(exc).__name__)
        return None
