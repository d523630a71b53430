"""Finding the article that answers a parent's question, typos and all.

Articles are indexed by title, summary, tags and text, folded through the same
normalisation as the classifier ("statement" and "EHC plan" are "ehcp", "the LA"
is "council"). Character n-grams make "assesment" find "assessment". The whole
knowledge base is a few dozen articles, so a search is one small sparse product;
benchmarks/knowledge_search.py measures it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from bot.knowledge.articles import Article
from bot.nlu.normalise import normalise


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: str
    score: float


class KnowledgeIndex:
    def __init__(self, articles: list[Article]) -> None:
        self._ids = [a.id for a in articles]
        self._features: FeatureUnion | None = None
        if not articles:
            return
        documents = [self._document(a) for a in articles]
        self._features = FeatureUnion(
            [
                (
                    "words",
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english"),
                ),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
                ),
            ]
        )
        matrix = self._features.fit_transform(documents)
        self._matrix = matrix.tocsr()

    @staticmethod
    def _document(article: Article) -> str:
        meta = article.meta
        # Title, summary and tags say what the article is about: count them twice.
        about = " ".join([meta.title, meta.summary, " ".join(meta.tags)])
        return normalise(f"{about} {about} {article.body}")

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        if self._features is None or not query.strip():
            return []
        vector = self._features.transform([normalise(query)])
        # Each half of the union is l2-normalised; average them into a cosine-like score.
        scores = np.asarray((self._matrix @ vector.T).todense()).ravel() / 2
        order = np.argsort(scores)[::-1][:limit]
        return [Hit(self._ids[i], float(scores[i])) for i in order if scores[i] > 0]
