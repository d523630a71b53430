"""Ranking answer cards for a parent's question: lexical match, context and intent prior.

Each card (bot/knowledge/articles.py `AnswerCard`) lists the questions it answers
as parents say them. A question is matched against every phrasing (the nearest
one counts, like a FAQ search) and against the card as a whole (its questions,
its answer and its article's title), with word 1-2 grams for phrasing and
character n-grams for typos ("assesment"), all folded through the classifier's
normalisation ("the LA" is "council", "statement" is "ehcp").

Two more signals re-rank the lexical scores:

- context: the rest of the message ("my son is in year 9 ... how long do they
  have?") says which topic "how long" is about;
- the intent prior: the intent classifier's probabilities for the whole message,
  given to each card through its article's `intents`.

A question with a word the knowledge base never uses, even misspelt ("blue
badge", "Birmingham", "weighted blanket"), is probably about something it does not
cover: `unknown_words` lets the answer step (bot/reading/answering.py) say so
rather than answer a nearby card.

`RankingParts` switches each part off for the ablation in benchmarks/answers.py.
The weights were chosen on the cards' own questions, one left out at a time
(`python -m benchmarks.answers --leave-one-out`), never on the held-out set.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.knowledge.articles import AnswerCard, Article, Library
from bot.nlu.classifier import tfidf_vector
from bot.nlu.normalise import normalise

# How much each part counts (see the module docstring for how they were chosen).
PHRASING_WEIGHT = 0.1  # the nearest single phrasing
CARD_WEIGHT = 0.9  # the card as a whole: all its phrasings, its answer and title
CONTEXT_WEIGHT = 0.2  # the rest of the message, when there is more than the question
# A vague question ("what can i do about it", "is that allowed") says little on its
# own: the message around it says what "it" is, so the context counts for more.
VAGUE_CONTEXT_WEIGHT = 0.65
VAGUE_QUESTION_WORDS = 4  # content words (not "what", "can", "i"...) below this is vague
_FUNCTION_WORD_LIST = (
    "a an the i we you he she they it its it's is are was were be been am do does did "
    "can could should would will shall may might must have has had what whats what's how "
    "when where why who which that this there their them my our your his her me us to of "
    "for in on at by with about and or but so if not no any anything something else just "
    "really please thanks also then now still get got"
)
# Parents' spellings that are not typos of one word the cards use.
# and everyday words of a parent's story that say nothing about the topic.
_EVERYDAY_WORD_LIST = (
    "alot abit aswell gonna wanna gotta dunno kinda wondering curious anyone someone "
    "yesterday today tomorrow tonight "
    "morning afternoon evening weekend monday tuesday wednesday thursday friday saturday "
    "sunday january february march april june july august september october november "
    "december ages recently lately earlier already finally suddenly honestly literally "
    "actually basically probably maybe "
    # Text speak and everyday words parents use about in-scope problems ("LA said no
    # bcos...", "who do i moan 2", "the senco keeps fobbing me off"): not a sign the
    # question is off topic.
    "bcos becos bcoz cos coz cuz skool skl havin comin goin doin sayin fobbing fobbed "
    "moan moaning neuro"
)
_INFORMAL_WORDS = frozenset(_EVERYDAY_WORD_LIST.split())
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_LIST.split())
# A word this long that no card, title or article uses, nor anything this close to
# it (a typo), is unknown ("birmingham", "badge"); shorter words are too often typos.
UNKNOWN_MIN_LETTERS = 4
NEAR_WORD_RATIO = 0.8
_LETTERS = re.compile(r"[a-z]+")
PRIOR_WEIGHT = 0.1  # the intent classifier's probability for the card's article
SECONDARY_INTENT_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class RankingParts:
    """Which parts of the ranker are on (all of them, except in the ablation)."""

    words: bool = True
    chars: bool = True
    context: bool = True
    prior: bool = True


ALL_PARTS = RankingParts()


@dataclass(frozen=True, slots=True)
class AnswerHit:
    answer_id: str
    score: float


def is_vague(question: str) -> bool:
    """Too few content words to say what it is about on its own."""
    words = [w for w in normalise(question).split() if w.strip("?.,!") not in _FUNCTION_WORDS]
    return len(words) < VAGUE_QUESTION_WORDS


# Intents whose examples are not about SEND: their words say nothing about coverage.
_NOT_SEND_INTENTS = frozenset({"out_of_scope", "greeting", "goodbye"})


@cache
def parents_words(directory: Path | None = None) -> frozenset[str]:
    """Words parents use about SEND: the intent classifier's training examples (never
    its held-out sets), so "arrived" or "nursery" is not taken for an unknown topic."""
    from bot.config import load_settings
    from bot.nlu.data import load_training_data

    try:
        data = load_training_data(directory or load_settings().nlu_data_dir)
    except Exception:  # these words only refine a threshold: never fail the index on them
        return frozenset()
    words: set[str] = set()
    for intent, examples in data.examples.items():
        if intent not in _NOT_SEND_INTENTS:
            for example in examples:
                words.update(_LETTERS.findall(normalise(example)))
    return frozenset(words)


# Built once per process for the same cards: every content reload (and every test's
# app) would otherwise fit the vectorizers again, which takes a second or two.
_CACHE: dict[str, AnswerIndex] = {}


def cards_digest(library: Library) -> str:
    """A hash of everything the index is built from."""
    hashed = hashlib.sha256()
    for answer_id, (article, card) in library.answers.items():
        for text in (answer_id, article.meta.title, article.body, card.answer, *card.questions):
            hashed.update(text.encode() + b"\0")
        hashed.update(",".join(article.meta.intents).encode() + b"\1")
    return hashed.hexdigest()


class _FeatureRows:
    """A features-by-rows CSR matrix, multiplied by one sparse query at a time.

    `matrix[indices].T @ values` spent as long in scipy's indexing and dispatch checks
    as in the arithmetic, on every question and its context. `dot` gathers the query's
    feature rows with numpy and adds them up with one `bincount`: the same products,
    added to each row in the same order, in about a quarter of the time.
    """

    def __init__(self, matrix: sparse.csr_matrix) -> None:
        self._indptr = matrix.indptr
        self._rows = matrix.indices
        self._data = matrix.data
        self._size = matrix.shape[1]

    def dot(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        """values @ matrix[indices]: one score per row (phrasing or card)."""
        starts = self._indptr[indices]
        lengths = self._indptr[indices + 1] - starts
        # The positions in `data` of every stored entry of the query's features, feature
        # by feature: each feature's run starts at its `starts`, one after another.
        run_starts = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = run_starts + np.arange(int(lengths.sum()))
        weights = self._data[positions] * np.repeat(values, lengths)
        scores = np.bincount(self._rows[positions], weights=weights, minlength=self._size)
        # With nothing gathered (no known words) bincount gives integer zeros.
        return scores.astype(np.float64, copy=False)


class AnswerIndex:
    @classmethod
    def cached(cls, library: Library) -> AnswerIndex:
        digest = cards_digest(library)
        if digest not in _CACHE:
            _CACHE.clear()  # one content version at a time is all a process needs
            _CACHE[digest] = cls(library)
        return _CACHE[digest]

    def __init__(self, library: Library, parts: RankingParts = ALL_PARTS) -> None:
        self.parts = parts
        self._ids: list[str] = list(library.answers)
        self._cards: dict[str, tuple[Article, AnswerCard]] = dict(library.answers)
        # intent -> share of the prior: an article's first intent is what it is about;
        # later ones are topics it touches (EHC timescales also serve ehcp_request).
        self._intents: list[dict[str, float]] = [
            {
                intent: 1.0 if position == 0 else SECONDARY_INTENT_SHARE
                for position, intent in enumerate(library.answers[i][0].meta.intents)
            }
            for i in self._ids
        ]
        # The same shares as a cards-by-intents table, so the prior for every card is one
        # numpy max rather than a Python loop over 400 cards on each question.
        self._intent_columns: dict[str, int] = {}
        for intents in self._intents:
            for intent in intents:
                self._intent_columns.setdefault(intent, len(self._intent_columns))
        self._intent_shares = np.zeros((len(self._ids), len(self._intent_columns)))
        for row, intents in enumerate(self._intents):
            for intent, share in intents.items():
                self._intent_shares[row, self._intent_columns[intent]] = share
        self._vectorizers: list[TfidfVectorizer] = []
        # Every word the knowledge base uses (cards, titles, article bodies), by first
        # letter, to tell a typo from a word it never uses.
        self._known: set[str] = set()
        for article, card in self._cards.values():
            text = " ".join([*card.questions, card.answer, article.meta.title, article.body])
            self._known.update(_LETTERS.findall(normalise(text)))
        self._known.update(parents_words())
        self._known_by_letter: dict[str, list[str]] = {}
        for word in sorted(self._known):
            self._known_by_letter.setdefault(word[0], []).append(word)
        self._near_cache: dict[str, bool] = {}
        if not self._ids:
            return
        phrasings: list[str] = []
        owners: list[int] = []
        for number, answer_id in enumerate(self._ids):
            _article, card = library.answers[answer_id]
            for question in card.questions:
                phrasings.append(normalise(question))
                owners.append(number)
        cards = [self._card_document(*library.answers[i]) for i in self._ids]
        if parts.words:
            self._vectorizers.append(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True))
        if parts.chars:
            self._vectorizers.append(
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
            )
        for vectorizer in self._vectorizers:
            vectorizer.fit(phrasings + cards)
        # For one query at a time: each vectorizer's analyzer, vocabulary, idf and where
        # its features start, so a query is scored without sklearn's per-call checks.
        self._analyzers = []
        offset = 0
        for vectorizer in self._vectorizers:
            self._analyzers.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset)
            )
            offset += len(vectorizer.vocabulary_)
        # Stored features-by-rows, so a query (a few non-zero features) times this
        # reads only its own features' rows: ten times faster than rows-by-features.
        self._phrasings = _FeatureRows(self._transform(phrasings).T.tocsr())
        self._card_matrix = _FeatureRows(self._transform(cards).T.tocsr())
        # Phrasings are grouped by card, so a card's best phrasing is one reduceat.
        self._owners = np.asarray(owners)
        self._group_starts = np.flatnonzero(np.r_[True, np.diff(self._owners) != 0])

    @staticmethod
    def _card_document(article: Article, card: AnswerCard) -> str:
        return normalise(" ".join([*card.questions, card.answer, article.meta.title]))

    def _transform(self, texts: list[str]) -> sparse.csr_matrix:
        """Each part l2-normalised on its own, side by side, averaged in the dot product."""
        blocks = [vectorizer.transform(texts) for vectorizer in self._vectorizers]
        matrix = sparse.hstack(blocks).tocsr()
        return matrix / len(self._vectorizers)

    def _query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One text as (feature indices, values): the same numbers as `_transform`
        (sublinear tf x idf, l2 per vectorizer, averaged), about five times faster."""
        all_indices: list[np.ndarray] = []
        all_values: list[np.ndarray] = []
        for analyzer, vocabulary, idf, offset in self._analyzers:
            vector = tfidf_vector(text, analyzer, vocabulary, idf)
            if vector is None:
                continue
            all_indices.append(vector[0] + offset)
            all_values.append(vector[1] / len(self._analyzers))
        if not all_indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(all_indices), np.concatenate(all_values)

    def unknown_words(self, text: str) -> list[str]:
        """Words of `text` the knowledge base never uses, nor anything close (a typo)."""
        unknown = []
        for word in dict.fromkeys(_LETTERS.findall(normalise(text))):
            if (
                len(word) >= UNKNOWN_MIN_LETTERS
                and word not in _FUNCTION_WORDS
                and word not in _INFORMAL_WORDS
                and not word.endswith("ly")  # "definitely", "automatically": never a topic
                and word not in self._known
                and not self._near_known(word)
            ):
                unknown.append(word)
        return unknown

    def _near_known(self, word: str) -> bool:
        known = self._near_cache.get(word)
        if known is None:
            known = False
            # The word is seq2, which SequenceMatcher analyses once for all candidates.
            matcher = SequenceMatcher(None, "", word, autojunk=False)
            for candidate in self._known_by_letter.get(word[0], ()):
                if abs(len(candidate) - len(word)) > 2:
                    continue
                matcher.set_seq1(candidate)
                if (
                    matcher.real_quick_ratio() >= NEAR_WORD_RATIO
                    and matcher.quick_ratio() >= NEAR_WORD_RATIO
                    and matcher.ratio() >= NEAR_WORD_RATIO
                ):
                    known = True
                    break
            if len(self._near_cache) < 10_000:  # bounded: parents' typos are endless
                self._near_cache[word] = known
        return known

    def card(self, answer_id: str) -> tuple[Article, AnswerCard] | None:
        return self._cards.get(answer_id)

    def __len__(self) -> int:
        return len(self._ids)

    def _lexical(self, text: str, leave_out: int | None = None) -> np.ndarray:
        indices, values = self._query(normalise(text))
        # Each block is unit length and divided by the number of blocks: cosine in 0..1.
        scale = len(self._vectorizers)
        by_phrasing = self._phrasings.dot(indices, values) * scale
        by_card = self._card_matrix.dot(indices, values) * scale
        if leave_out is not None:
            # Tuning only: as if this phrasing had never been written.
            by_phrasing[leave_out] = 0.0
            owner = int(self._owners[leave_out])
            by_card[owner] = self._card_without(owner, leave_out, indices, values)
        best_phrasing = np.maximum.reduceat(by_phrasing, self._group_starts)
        return PHRASING_WEIGHT * best_phrasing + CARD_WEIGHT * by_card

    def _card_without(self, owner: int, row: int, indices: np.ndarray, values: np.ndarray) -> float:
        article, card = self._cards[self._ids[owner]]
        first_row = int(self._group_starts[owner])
        kept = [q for i, q in enumerate(card.questions) if first_row + i != row]
        document = normalise(" ".join([*kept, card.answer, article.meta.title]))
        column = self._transform([document]).toarray().ravel()
        return float(column[indices] @ values) * len(self._vectorizers)

    def phrasings(self) -> list[tuple[int, str, str]]:
        """(row, answer id, question) of every phrasing: the leave-one-out tuning set."""
        rows = []
        for owner, start in enumerate(self._group_starts):
            _article, card = self._cards[self._ids[owner]]
            rows += [(int(start) + i, self._ids[owner], q) for i, q in enumerate(card.questions)]
        return rows

    def rank(
        self,
        question: str,
        context: str | None = None,
        intent_prior: Mapping[str, float] | None = None,
        limit: int = 5,
        leave_out: int | None = None,
    ) -> list[AnswerHit]:
        """The best cards for a question, best first, scores roughly 0 to 1.

        `leave_out` (a phrasing's row) is for the leave-one-out tuning set only."""
        if not self._ids or not question.strip():
            return []
        scores = self._lexical(question, leave_out)
        if self.parts.context and context and context.strip() != question.strip():
            weight = VAGUE_CONTEXT_WEIGHT if is_vague(question) else CONTEXT_WEIGHT
            scores = (1 - weight) * scores + weight * self._lexical(context, leave_out)
        if self.parts.prior and intent_prior and self._intent_columns:
            confidence = np.zeros(len(self._intent_columns))
            for intent, probability in intent_prior.items():
                column = self._intent_columns.get(intent)
                if column is not None:
                    confidence[column] = probability
            # Each card: its best intent's confidence times that intent's share.
            prior = (self._intent_shares * confidence).max(axis=1)
            scores = scores + PRIOR_WEIGHT * prior
        order = np.argsort(-scores)[:limit]
        return [AnswerHit(self._ids[i], float(scores[i])) for i in order if scores[i] > 0]
