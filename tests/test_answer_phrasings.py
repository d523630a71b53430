"""60 questions in parents' own words (short, long, misspelt, two at once) reach the answer
that states their fact, through /api/chat, as a parent on the web chat would see it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from tests.chat import assert_fact_first

PHRASINGS = yaml.safe_load((Path(__file__).parent / "data" / "answer_phrasings.yml").read_text())[
    "phrasings"
]


def test_the_set_is_varied() -> None:
    forms = [p["form"] for p in PHRASINGS]
    assert len(PHRASINGS) == 60
    assert forms.count("long") >= 10 and forms.count("two_questions") >= 10
    assert all(len(p["text"].split()) >= 40 for p in PHRASINGS if p["form"] == "long")


@pytest.mark.parametrize("phrasing", PHRASINGS, ids=[p["text"][:40] for p in PHRASINGS])
async def test_a_parents_question_gets_its_fact_first(
    client: httpx.AsyncClient, phrasing: dict[str, object]
) -> None:
    await assert_fact_first(client, phrasing)
