"""The fast crisis screen decides exactly as the plain one did.

Screening a long message was made about ten times faster (prefilters for the
rules, one batch for the classifier, fewer passes to split and fold). Each
shortcut is checked here against the plain way, kept in this file as the
reference: the same sentences, folds, rule matches, scores and decisions, on the
training data, every rule's examples and near misses, long made-up messages and
random text full of the characters that break things.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.config import load_settings
from bot.nlu.normalise import normalise
from bot.reading.sentences import fold, fold_many, split_sentences
from bot.safety import screen as screening
from bot.safety.classifier import CrisisClassifier
from bot.safety.matching import _top_level_parts
from bot.safety.prefilter import required_clauses
from bot.safety.rules import RuleSet, built_in_rules, parse_rules
from bot.safety.scoring import prepare_many
from bot.services import start_reader

NLU_DATA = Path(__file__).parent.parent / "nlu_data"

# -- the plain way, as it was ----------------------------------------------------------

_HARD_BREAK = re.compile(
    r"(?:(?<=[.!?…])\s+)"
    r"|(?:\s*[\r\n]+\s*)"
    r"|(?:\s*;\s*)"
    r"|(?:\s+[-–—]+\s+)"
    r"|(?:\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+\s*)"
)
_CLAUSE_BREAK = re.compile(
    r"\s+(?=(?:and|but|so|because|cos|coz|cause|then|also|plus|tbh|honestly|idk|"
    r"lol|omg|anyway|now|which|although|though|whereas|while|when|if|or)\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def plain_pieces(text: str, pattern: re.Pattern[str], offset: int) -> list[tuple[str, int, int]]:
    found, position = [], 0
    for match in pattern.finditer(text):
        if match.start() > position:
            found.append((text[position : match.start()], offset + position))
        position = max(position, match.end())
    if position < len(text):
        found.append((text[position:], offset + position))
    pieces = []
    for piece, start in found:
        stripped = piece.strip(" \t,.")
        if not stripped or not any(c.isalnum() for c in stripped):
            continue
        lead = piece.index(stripped[0])
        pieces.append((stripped, start + lead, start + lead + len(stripped)))
    return pieces


def plain_split(text: str) -> list[tuple[str, int, int, bool, int]]:
    sentences = []
    for piece, start, end in plain_pieces(text, _HARD_BREAK, 0):
        words = len(_WORD.findall(piece))
        sentences.append((piece, start, end, False, words))
        if words < 10:
            continue
        clauses = [
            c for c in plain_pieces(piece, _CLAUSE_BREAK, start) if len(_WORD.findall(c[0])) > 1
        ]
        if len(clauses) > 1:
            sentences.extend((c, s, e, True, len(_WORD.findall(c))) for c, s, e in clauses)
    return sentences


def plain_fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("’", "'").replace("‘", "'").replace("`", "'").replace("´", "'")
    folded = re.sub(
        r"\b(can|don|won|isn|hasn|haven|didn|wasn|doesn|couldn|wouldn|shouldn|aren|weren|hadn|ain)t\b",
        r"\1't",
        folded,
    )
    pronouns = {"im": "i'm", "ive": "i've", "hes": "he's", "shes": "she's", "theyre": "they're"}
    folded = re.sub(r"\b(im|ive|hes|shes|theyre)\b", lambda m: pronouns[m.group(1)], folded)
    return re.sub(r"\s+", " ", folded).strip()


def plain_match(rules: RuleSet, text: str) -> list[str]:
    folded = plain_fold(text)
    return [rule.id for rule in rules.rules if any(p.search(folded) for p in rule.patterns)]


def plain_screen(text: str, rules: RuleSet, classifier: CrisisClassifier) -> tuple:
    """screen() as it was: every sentence through the rules and the classifier, one by one."""
    sentences = split_sentences(text)
    levels = {"none": 0, "everyday": 1, "borderline": 2, "crisis": 3}
    matched = [rule for rule in rules.rules if rule.id in plain_match(rules, text)]
    kinds, reasons, level = [], [], "none"
    for rule in matched:
        level = rule.level if levels[rule.level] > levels[level] else level
        if rule.level == "crisis":
            kinds += [rule.kind] if rule.kind not in kinds else []
            reasons += [rule.id] if rule.id not in reasons else []
    risky = []
    if matched:
        for index, sentence in enumerate(sentences):
            crisis_rules = [r for r in rules.rules if r.level == "crisis"]
            folded = plain_fold(sentence.text)
            if any(p.search(folded) for r in crisis_rules for p in r.patterns):
                risky.append(index)
    candidates = [(-1, text[:4000])] if len(sentences) != 1 else []
    candidates += [
        (i, s.text)
        for i, s in enumerate(sentences)
        if s.start < 4000 and s.words >= (5 if s.clause else 3)  # a clause needs five words
    ]
    explained, whole = set(risky), False
    for index, candidate in candidates:
        if len(candidate.split()) < 3:
            continue
        if classifier.probability(candidate) < screening.CLASSIFIER_THRESHOLD:
            continue
        reasons += ["classifier"] if "classifier" not in reasons else []
        level = "crisis"
        if index < 0:
            whole = True
        elif index not in explained:
            risky.append(index)
            kind = classifier.kind(candidate)
            kinds += [kind] if kind not in kinds else []
    if whole and not kinds:
        kinds.append(classifier.kind(text[:4000]))
    return (level == "crisis", tuple(kinds), tuple(reasons), level, tuple(sorted(risky)))


# -- what they are tried on ---------------------------------------------------------------


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


@lru_cache(maxsize=1)
def training_texts() -> tuple[str, ...]:
    """Every sentence of the training data (never the dev or test sets) and rule examples."""
    texts = []
    for path in sorted(NLU_DATA.glob("*.yml")):
        texts += _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
    for rule in built_in_rules().rules:
        texts += list(rule.examples) + list(rule.near_misses)
    return tuple(t for t in texts if isinstance(t, str))


ODD = [
    "😢", "\ufe0f", "\u200d", "☺", "➀", "İ", "ſ", "K", "ß", "Σ", "e\u0301", "\x00", "ﬁ", "½",
    "’", "‘", "`", "´", "\u00a0", "\u2028", "\t", "\n\n", "\r\n", " - ", " – ", "; ", "... ",
    "!? ", "…", "_", "cant ", "dont ", "im ", "hes ", "theyre ", "e.h.c.p ", "the LA ",
]  # fmt: skip


def long_messages(count: int, seed: int = 11) -> list[str]:
    """Messages of up to 4,000 characters: ordinary sentences, a crisis or two, odd characters."""
    chooser = random.Random(seed)
    pool = list(training_texts())
    messages = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < chooser.randint(200, 4000):
            parts.append(chooser.choice(pool))
            parts.append(
                chooser.choice([". ", " ", ", and ", "\n", " 😢 ", "; ", chooser.choice(ODD)])
            )
        messages.append("".join(parts))
    return messages


def random_texts(count: int, seed: int = 5) -> list[str]:
    chooser = random.Random(seed)
    alphabet = (
        list("abcdefghijklmnopqrstuvwxyz ABCSO.,!?;:-'\n\t0123")
        + ODD
        + [
            " and ",
            " but ",
            " So ",
            " tbh ",
            " when ",
            "kill",
            "die ",
            "him",
            "self",
            "pills ",
        ]
    )
    return [
        "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 60)))
        for _ in range(count)
    ]


# -- the checks ---------------------------------------------------------------------------


def test_sentences_are_split_as_before() -> None:
    for text in [*training_texts(), *long_messages(150), *random_texts(20000)]:
        found = [(s.text, s.start, s.end, s.clause, s.words) for s in split_sentences(text)]
        assert found == plain_split(text), text


def test_folding_many_at_once_folds_each_as_before() -> None:
    texts = [*training_texts(), *random_texts(5000)]
    for start in range(0, len(texts), 37):
        group = texts[start : start + 37]
        assert fold_many(group) == [plain_fold(t) for t in group]
        assert [fold(t) for t in group] == [plain_fold(t) for t in group]


def test_texts_are_prepared_for_the_classifier_as_before() -> None:
    texts = [*training_texts(), *long_messages(40), *random_texts(5000)]
    for start in range(0, len(texts), 23):
        group = texts[start : start + 23]
        assert prepare_many(group) == [normalise(plain_fold(t)) for t in group]


def test_the_rules_match_what_they_matched_before() -> None:
    rules = built_in_rules()
    for text in [*training_texts(), *long_messages(100), *random_texts(3000)]:
        found = [m.rule for m in rules.match(text)]
        assert found == plain_match(rules, text), text


def test_a_prefilter_never_rules_out_a_text_its_pattern_matches() -> None:
    rules = built_in_rules()
    matcher = rules.matcher()
    for text in [*training_texts(), *random_texts(3000)]:
        folded = fold(text)
        checker = matcher._index.checker(folded)
        for number, pattern in enumerate(matcher._patterns):
            if pattern.search(folded):
                assert checker.may_match(number), (pattern.pattern, folded)


@pytest.mark.parametrize(
    "pattern, inside, outside",
    [
        (r"\bkill(?:s|ing)? (?:him|her)self\b", ["he kills himself"], ["skills herself", "kill"]),
        (r"\bsuicid", ["suicidal"], ["homicide"]),
        (r"(?i)\bEHCP\b", ["ehcp"], []),  # case-insensitive: no prefilter, always run
        (r"(?a)\bfoo\b", ["éfooé"], []),  # ASCII \b: no prefilter
        (r"x\w*y", ["xaaay"], ["x y"]),
        (r"(\w+) \1", ["so so"], ["so no"]),
        (r"a{2,3}b", ["aab", "aaab"], ["ab"]),
        (r"[^a]bc", ["xbc"], ["abc"]),
        (r"\bno (?:point|reason)(?! at all)", ["no point"], ["no points at all", "no pint"]),
    ],
)
def test_the_prefilter_of_odd_patterns(pattern: str, inside: list[str], outside: list[str]) -> None:
    compiled = re.compile(pattern)
    rules = parse_rules(
        [{"id": "odd", "kind": "self_harm", "means": "odd", "patterns": [pattern]}],
        {},
        "test",
        built_in=True,
    )
    assert not rules.problems
    for text in inside:
        assert compiled.search(text) and rules.match(text, already_folded=True)
    for text in outside:
        assert bool(compiled.search(text)) == bool(rules.match(text, already_folded=True))
    for text in random_texts(500, seed=len(pattern)):
        assert bool(compiled.search(text)) == bool(rules.match(text, already_folded=True))
    assert isinstance(required_clauses(compiled), tuple)


def test_alternatives_are_cut_only_at_the_top_level() -> None:
    assert _top_level_parts(r"a|b") == ["a", "b"]
    assert _top_level_parts(r"(a|b)|c") == ["(a|b)", "c"]
    assert _top_level_parts(r"[|]|x") == ["[|]", "x"]
    assert _top_level_parts(r"[]|]|y") == ["[]|]", "y"]
    assert _top_level_parts(r"\|a|b") == [r"\|a", "b"]


@lru_cache(maxsize=1)
def reader_classifier() -> CrisisClassifier:
    classifier = start_reader(load_settings()).classifier
    assert classifier is not None
    return classifier


def test_the_classifier_scores_a_batch_as_it_scores_one() -> None:
    classifier = reader_classifier()
    texts = [*training_texts()[::7], *long_messages(20), *random_texts(300)]
    batch = classifier.probabilities(texts)
    one_by_one = [classifier.probability(t) for t in texts]
    assert np.allclose(batch, one_by_one, rtol=0, atol=1e-9)


def test_every_decision_is_the_same_as_before() -> None:
    classifier = reader_classifier()
    rules = built_in_rules()
    for text in [*long_messages(30, seed=3), *training_texts()[::9]]:
        sentences = split_sentences(text)
        fast = screening.screen(text, sentences, rules, classifier)
        found = (fast.crisis, fast.kinds, fast.reasons, fast.level, fast.risky_sentences)
        assert found == plain_screen(text, rules, classifier), text


def test_probabilities_are_the_logistic_of_the_scores() -> None:
    classifier = reader_classifier()
    (probability,) = classifier.probabilities(["my son says he wants to die"])
    assert 0.0 < probability < 1.0 and not math.isnan(probability)
    assert classifier.probabilities([]) == []
