"""Parents' questions on the topics added in issue #15 (helper "b": further education,
re-assessment and moving, health and social care recommendations, judicial review, managed
moves, the 2024 attendance rules, disabled facilities grants, benefits, child in need, the
2026 SEND reform proposals and the SENCO qualification) reach the answer that states their
fact, through /api/chat, as a parent on the web chat would see it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from tests.chat import assert_fact_first

PHRASINGS = yaml.safe_load((Path(__file__).parent / "data" / "topics_b.yml").read_text())[
    "phrasings"
]
TOPICS = {
    "further-education-and-work",
    "reassessment-and-moving",
    "health-social-care-recommendations",
    "judicial-review",
    "managed-moves-and-off-site",
    "attendance-rules-2024",
    "disabled-facilities-grants",
    "disability-benefits",
    "child-in-need",
    "send-reform-proposals",
    "senco-qualification",
}


def test_every_topic_has_three_phrasings_one_long() -> None:
    for topic in TOPICS:
        texts = [str(p["text"]) for p in PHRASINGS if p["topic"] == topic]
        assert len(texts) >= 3, topic
        assert any(len(t.split()) >= 40 for t in texts), topic


@pytest.mark.parametrize("phrasing", PHRASINGS, ids=[p["text"][:40] for p in PHRASINGS])
async def test_a_parents_question_gets_its_fact_first(
    client: httpx.AsyncClient, phrasing: dict[str, object]
) -> None:
    await assert_fact_first(client, phrasing)
