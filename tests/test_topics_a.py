"""The issue #15 topics (letter a): for each topic, phrasings of our own (one long, with
context) reach the answer that states its fact, through /api/chat, as a parent on the
web chat would see it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from tests.chat import assert_fact_first

PHRASINGS = yaml.safe_load((Path(__file__).parent / "data" / "topics_a.yml").read_text())[
    "phrasings"
]


def test_every_topic_has_three_phrasings_one_long() -> None:
    topics: dict[str, list[str]] = {}
    for p in PHRASINGS:
        topics.setdefault(p["topic"], []).append(p["text"])
    assert len(topics) == 11
    for topic, texts in topics.items():
        assert len(texts) >= 3, topic
        assert any(len(t.split()) >= 30 for t in texts), topic


@pytest.mark.parametrize("phrasing", PHRASINGS, ids=[p["text"][:40] for p in PHRASINGS])
async def test_a_parents_question_gets_its_fact_first(
    client: httpx.AsyncClient, phrasing: dict[str, object]
) -> None:
    await assert_fact_first(client, phrasing)
