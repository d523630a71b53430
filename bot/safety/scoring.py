"""The crisis classifier's sums for many sentences at once: the same scores, far sooner.

A 4,000-character message is scored as a whole and as 100-odd sentences and
clauses. One call per sentence (folding, normalising, n-grams, a dot product)
cost about 28 ms; here every step runs once over all of them:

- `prepare_many` folds and normalises all the texts in one pass (as
  `normalise(fold(text))` does each, and giving the same strings);
- `BatchLinear` counts each text's word n-grams and, from a cache of each word's
  character n-grams, its character n-grams, in one sparse matrix per kind; then
  sublinear tf x idf, l2 norm and the linear model, as scikit-learn would.

Only the TF-IDF + logistic regression pipeline of `bot.nlu.classifier.text_pipeline`
is batched; any other shape is scored text by text with `FastLinear`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.nlu import normalise as nlu_normalise
from bot.nlu.classifier import FastLinear
from bot.reading.sentences import fold_many
from bot.safety.prefilter import Key, Present, extent, key_spans, required_clauses, sre_parse

_SEPARATOR = "\0"
# A substitution whose needles occur more often than this searches the whole text.
MAX_STRETCHES = 24
_WORD_RUN = re.compile(r"\w*")
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's
_LONG_WORD = re.compile(r"\w\w+")  # the same tokens: a greedy run is cut only at a non-word
# A cache of words' character n-grams grows with the vocabulary parents use; past
# this many words it starts again rather than hold every word ever seen.
MAX_CACHED_WORDS = 20_000


def prepare_many(texts: Sequence[str]) -> list[str]:
    """`normalise(fold(text))` for each text (what the classifier reads), all in one pass.

    normalise() runs fourteen substitutions; each is tried only on the texts that
    hold one of the strings it needs (bot/safety/prefilter.py). The texts are
    joined with NUL, which none of the steps can match, change or join across.
    """
    return normalise_many(fold_many(list(texts)))


def normalise_many(folded: Sequence[str]) -> list[str]:
    """`normalise(text)` for each text already folded: the second half of prepare_many."""
    joined = _SEPARATOR.join(folded)
    if joined.count(_SEPARATOR) != len(folded) - 1:  # a text holds a NUL itself
        return [nlu_normalise.normalise(text) for text in folded]
    joined = unicodedata.normalize("NFKC", joined).casefold()
    joined = joined.replace("’", "'").replace("‘", "'")
    present = Present(joined)
    for synonym in _synonyms():
        if synonym.needles and not any(map(present, synonym.needles)):
            continue  # none of the words it needs: it cannot match
        replaced = synonym.substitute(joined)
        if replaced != joined:  # the substitutions after this one read the new text
            joined, present = replaced, Present(replaced)
    return [" ".join(piece.split()) for piece in joined.split(_SEPARATOR)]


@dataclass(frozen=True, slots=True)
class _Synonym:
    """One of normalise()'s substitutions, run only around the strings it needs."""

    pattern: re.Pattern[str]
    word: str
    needles: tuple[Key, ...]  # any match holds one of these (none: search everywhere)
    reach: int  # no match is longer

    @classmethod
    def of(cls, pattern: re.Pattern[str], word: str) -> _Synonym:
        clauses = required_clauses(pattern)
        bound = extent(pattern)
        windowed = (
            clauses
            and "\\" not in word  # a plain replacement, no group references
            and bound.reach is not None
            and bound.reach[1:] == (0, 0)  # no \w* or \s*: a fixed longest match
            and not bound.looks_around
            and _shortest_match(pattern) > 0
        )
        needles = tuple(clauses[0]) if windowed else ()
        return cls(pattern, word, needles, bound.reach[0] if windowed else 0)  # type: ignore[index]

    def substitute(self, text: str) -> str:
        """pattern.sub(word, text), searching only near the needles.

        Each match holds a needle and is at most `reach` long, so it lies within
        `reach` of one. Around each needle (the stretches merged, each ending
        before a non-word character) the pattern finds just what it would in the
        whole text: it reads nothing beyond its match but the characters either
        side of a \b.
        """
        if not self.needles:
            return self.pattern.sub(self.word, text)
        spans = key_spans(text, self.needles, MAX_STRETCHES)
        if spans is None:  # as costly as the whole text: search it
            return self.pattern.sub(self.word, text)
        if not spans:
            return text
        spans = sorted((max(0, start - self.reach), end + self.reach) for start, end in spans)
        pieces, done = [], 0
        for start, end in _merged(spans):
            end = len(text) if end >= len(text) else _WORD_RUN.match(text, end).end()  # type: ignore[union-attr]
            for match in self.pattern.finditer(text, max(start, done), end):
                pieces.append(text[done : match.start()])
                pieces.append(self.word)
                done = match.end()
        pieces.append(text[done:])
        return "".join(pieces)


def _shortest_match(pattern: re.Pattern[str]) -> int:
    try:
        return int(sre_parse.parse(pattern.pattern, pattern.flags).getwidth()[0])
    except Exception:
        return 0


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=1)
def _synonyms() -> tuple[_Synonym, ...]:
    """normalise()'s substitutions, in its order, each with its needles."""
    return tuple(_Synonym.of(pattern, word) for pattern, word in nlu_normalise._PATTERNS)


def _supported(vectorizer: object) -> bool:
    """A TF-IDF vectorizer whose arithmetic `_Part` reproduces exactly."""
    if not isinstance(vectorizer, TfidfVectorizer):
        return False
    params = vectorizer.get_params()
    return (
        (
            params["analyzer"] == "char_wb"
            or (params["analyzer"] == "word" and params["ngram_range"] in ((1, 1), (1, 2)))
        )
        and params["input"] == "content"
        and params["lowercase"]
        and params["preprocessor"] is None
        and params["tokenizer"] is None
        and params["stop_words"] is None
        and params["strip_accents"] is None
        and not params["binary"]
        and params["use_idf"]
        and params["norm"] == "l2"
    )


class _Part:
    """One vectorizer's share of the score: n-gram counts, tf-idf, l2 norm, then weights."""

    def __init__(self, vectorizer: TfidfVectorizer, weights: np.ndarray) -> None:
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf: np.ndarray = vectorizer.idf_
        self._weights = weights  # (features, classes)
        self._sublinear = bool(vectorizer.sublinear_tf)
        self._low, self._high = vectorizer.ngram_range

    def scores(self, texts: list[str]) -> np.ndarray:
        """(texts, classes): each text's l2-normalised tf-idf vector times the weights."""
        rows, columns, counts = self._counts([text.lower() for text in texts])
        values = np.log(counts) + 1.0 if self._sublinear else counts
        values = values * self._idf[columns]
        size = len(texts)
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=size))
        products = np.stack(
            [
                np.bincount(rows, weights=values * self._weights[columns, k], minlength=size)
                for k in range(self._weights.shape[1])
            ],
            axis=1,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(norms[:, None] > 0, products / norms[:, None], 0.0)

    def _counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, count) of every feature each text has."""
        raise NotImplementedError


class _WordPart(_Part):
    """Word unigrams and bigrams, as scikit-learn's word analyzer makes them.

    Tokens are numbered once per batch; a bigram is looked up by its two tokens'
    numbers in a sorted table rather than as a joined string, all in numpy.
    """

    def __init__(self, vectorizer: TfidfVectorizer, weights: np.ndarray) -> None:
        super().__init__(vectorizer, weights)
        self._tokens = re.compile(vectorizer.token_pattern)
        self._default_tokens = vectorizer.token_pattern == DEFAULT_TOKEN_PATTERN
        # Every token of the vocabulary numbered, with its unigram's column (or -1).
        self._token_numbers: dict[str, int] = {}
        unigram_columns: list[int] = []
        for gram in self._vocabulary:
            for token in gram.split(" "):
                if token not in self._token_numbers:
                    self._token_numbers[token] = len(self._token_numbers)
                    unigram_columns.append(self._vocabulary.get(token, -1))
        self._unigram_columns = np.array(unigram_columns, dtype=np.int64)
        count = len(self._token_numbers)
        pairs = []
        for gram, column in self._vocabulary.items():
            first, _, second = gram.partition(" ")
            if second:
                pairs.append(
                    (self._token_numbers[first] * count + self._token_numbers[second], column)
                )
        pairs.sort()
        self._pair_codes = np.array([code for code, _ in pairs], dtype=np.int64)
        self._pair_columns = np.array([column for _, column in pairs], dtype=np.int64)
        self._token_count = count

    def _tokenize(self, text: str) -> list[str]:
        r"""The vectorizer's tokens; for its default pattern, without a regex for most words.

        r"\b\w\w+\b" finds each run of two or more word characters; a run has no
        space in it, so a chunk between spaces that is all letters and digits is one.
        """
        if not self._default_tokens:
            return self._tokens.findall(text)
        tokens: list[str] = []
        for chunk in text.split():
            if chunk.isalnum():
                if len(chunk) > 1:
                    tokens.append(chunk)
            else:
                tokens.extend(_LONG_WORD.findall(chunk))
        return tokens

    def _counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        token_lists = [self._tokenize(text) for text in texts]
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(texts))
        tokens = list(chain.from_iterable(token_lists))
        known = self._token_numbers
        local = {token: known.get(token, -1) for token in set(tokens)}
        numbers = np.fromiter(map(local.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        # Unigrams.
        unigram = np.where(numbers >= 0, self._unigram_columns[np.maximum(numbers, 0)], -1)
        found = unigram >= 0
        all_rows, all_columns = [rows[found]], [unigram[found]]
        if not len(self._pair_codes):
            return _tally(all_rows[0], all_columns[0], len(self._vocabulary))
        # Bigrams: two known tokens side by side in the same text.
        first, second = numbers[:-1], numbers[1:]
        pair = (rows[:-1] == rows[1:]) & (first >= 0) & (second >= 0)
        codes = first[pair] * self._token_count + second[pair]
        at = np.searchsorted(self._pair_codes, codes)
        at_valid = np.minimum(at, len(self._pair_codes) - 1)
        hit = (at < len(self._pair_codes)) & (self._pair_codes[at_valid] == codes)
        all_rows.append(rows[:-1][pair][hit])
        all_columns.append(self._pair_columns[at_valid[hit]])
        return _tally(np.concatenate(all_rows), np.concatenate(all_columns), len(self._vocabulary))


class _CharPart(_Part):
    """Character n-grams within words (char_wb): a text's are the sum of its words'.

    Each word's n-grams are counted once and cached; a batch is then one sparse
    product of (texts x words) by (words x n-grams).
    """

    def __init__(self, vectorizer: TfidfVectorizer, weights: np.ndarray) -> None:
        super().__init__(vectorizer, weights)
        self._word_grams: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        word_lists = [text.split() for text in texts]
        lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(texts))
        words = list(chain.from_iterable(word_lists))
        unique = list(dict.fromkeys(words))
        numbers = {word: number for number, word in enumerate(unique)}
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        occurrences = sparse.csr_matrix(
            (
                np.ones(len(words)),
                np.fromiter(map(numbers.__getitem__, words), dtype=np.int64, count=len(words)),
                indptr,
            ),
            shape=(len(texts), len(unique)),
        )
        counts = (occurrences @ self._grams_of(unique)).tocsr()
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(counts.indptr))
        return rows, counts.indices.astype(np.int64), counts.data

    def _grams_of(self, words: list[str]) -> sparse.csr_matrix:
        """(words, features): each word's character n-gram counts, from the cache."""
        cache = self._word_grams
        if len(cache) > MAX_CACHED_WORDS:
            cache.clear()
        entries = []
        for word in words:
            entry = cache.get(word)
            if entry is None:
                entry = cache[word] = self._count_word(word)
            entries.append(entry)
        indptr = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum([len(columns) for columns, _ in entries], out=indptr[1:])
        indices = np.concatenate([columns for columns, _ in entries] or [np.zeros(0, np.int64)])
        data = np.concatenate([counts for _, counts in entries] or [np.zeros(0)])
        return sparse.csr_matrix((data, indices, indptr), shape=(len(words), len(self._vocabulary)))

    def _count_word(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """One word's n-grams in the vocabulary, as scikit-learn's char_wb makes them."""
        padded = " " + word + " "
        counts: dict[int, int] = {}
        get = self._vocabulary.get
        for size in range(self._low, self._high + 1):
            offset = 0
            grams = [padded[offset : offset + size]]
            while offset + size < len(padded):
                offset += 1
                grams.append(padded[offset : offset + size])
            for column in map(get, grams):
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if offset == 0:  # a word shorter than the n-gram is counted once
                break
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=float, count=len(counts))
        order = np.argsort(columns)
        return columns[order], values[order]


def _tally(rows: np.ndarray, columns: np.ndarray, width: int) -> tuple[np.ndarray, ...]:
    """(row, column, count) for each distinct (row, column) pair."""
    codes, counts = np.unique(rows * width + columns, return_counts=True)
    return codes // width, codes % width, counts.astype(float)


class BatchLinear:
    """A fitted text pipeline's linear scores for many texts in one go."""

    def __init__(self, pipeline: Pipeline) -> None:
        features = pipeline.named_steps["features"]
        model = pipeline.named_steps["model"]
        self._fallback: Callable[[str], np.ndarray] | None = None
        vectorizers = (
            [v for _, v in features.transformer_list]
            if isinstance(features, FeatureUnion) and features.transformer_weights is None
            else []
        )
        if not vectorizers or not all(_supported(v) for v in vectorizers):
            self._fallback = FastLinear(pipeline).decision
            return
        coefficients = model.coef_.T
        self._parts = []
        offset = 0
        for vectorizer in vectorizers:
            size = len(vectorizer.vocabulary_)
            weights = np.ascontiguousarray(coefficients[offset : offset + size])
            part = _CharPart if vectorizer.analyzer == "char_wb" else _WordPart
            self._parts.append(part(vectorizer, weights))
            offset += size
        self._intercept = model.intercept_

    def decisions(self, prepared: list[str]) -> np.ndarray:
        """(texts, classes) raw scores of texts already through `prepare_many`."""
        if self._fallback is not None:
            return np.array([self._fallback(text) for text in prepared]).reshape(len(prepared), -1)
        scores = np.tile(self._intercept, (len(prepared), 1)).astype(float)
        for part in self._parts:
            scores += part.scores(prepared)
        return scores
