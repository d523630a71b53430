"""Every shipped article and letter is well-formed, sourced and reviewed."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge.articles import load_library
from bot.knowledge.letters import load_letters
from bot.nlu.intents import INTENTS

LIBRARY = load_library(PROJECT_ROOT / "knowledge")
LETTERS = load_letters(PROJECT_ROOT / "knowledge" / "letters")


def test_every_article_parses() -> None:
    assert LIBRARY.errors == []
    assert len(LIBRARY.articles) >= 30


@pytest.mark.parametrize("article_id", sorted(LIBRARY.articles))
def test_each_article_has_sources_a_review_date_and_known_intents(article_id: str) -> None:
    meta = LIBRARY.articles[article_id].meta
    assert meta.sources, "every statement of law needs a source"
    assert all(str(s.url).startswith("https://") for s in meta.sources)
    assert meta.last_reviewed <= dt.date.today()
    assert set(meta.intents) <= set(INTENTS)
    assert len(meta.summary.split()) <= 60  # the key fact fits in one short message


def test_every_letter_parses_with_sources() -> None:
    assert LETTERS.problems == []
    assert len(LETTERS.letters) >= 10
    assert all(letter.meta.sources for letter in LETTERS.letters.values())
