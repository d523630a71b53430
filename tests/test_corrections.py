"""The legal review's corrections (issue #15), one test each: a parent's question in their own
words goes through /api/chat, and the first answer states the corrected fact (and not the
wrong one). A few corrections live in flow text or an article's sources; those are read
from the files as a parent or reviewer would meet them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from tests.chat import Parent

ROOT = Path(__file__).parent.parent
CORRECTIONS = yaml.safe_load((Path(__file__).parent / "data" / "corrections.yml").read_text())[
    "corrections"
]


def front_matter(article: str) -> dict[str, object]:
    text = (ROOT / "knowledge" / f"{article}.md").read_text()
    return yaml.safe_load(text.split("---")[1])


def body(article: str) -> str:
    return (ROOT / "knowledge" / f"{article}.md").read_text().split("---", 2)[2]


def test_every_case_names_its_correction_once() -> None:
    names = [c["correction"] for c in CORRECTIONS]
    assert len(names) == len(set(names))
    assert all(c["says"] for c in CORRECTIONS)


@pytest.mark.parametrize("case", CORRECTIONS, ids=[c["correction"][:60] for c in CORRECTIONS])
async def test_the_first_answer_states_the_corrected_fact(
    client: httpx.AsyncClient, case: dict[str, object]
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    replies = await parent.say(str(case["text"]))
    answers = [r for r in replies if r.get("kind") == "answer"]
    assert answers, [r["text"][:80] for r in replies]
    first = answers[0]["text"].lower().replace("’", "'")
    for wanted in case["says"]:  # type: ignore[attr-defined]
        options = [wanted] if isinstance(wanted, str) else wanted
        assert any(o.lower() in first for o in options), (options, first[:300])
    for wrong in case.get("never", []):  # type: ignore[attr-defined]
        assert wrong.lower() not in first, (wrong, first[:300])


def test_triage_states_the_section_19_duty_precisely() -> None:
    """'must arrange education if your child can't attend' overstated s.19: the duty is to
    arrange suitable education when illness, exclusion or another reason means the child
    would not otherwise get it."""
    text = (ROOT / "flows" / "triage.yml").read_text()
    assert "must arrange education if your child can't attend" not in text
    attendance = yaml.safe_load(text)["nodes"]["next_attendance"]["say"]
    assert "would not otherwise get" in attendance and "section 19" in attendance


def test_part_time_timetables_cite_section_19_for_what_it_says() -> None:
    sources = front_matter("part-time-timetables")["sources"]
    s19 = [s for s in sources if s["url"].endswith("/1996/56/section/19")]  # type: ignore[index]
    assert s19, sources
    section = s19[0]["section"].lower()
    assert "19(1)" in section and "illness" in section
    assert "suitable full-time education)" not in section


def test_annual_review_says_must_be_invited() -> None:
    assert "You should be invited" not in body("annual-review")
    assert "must be invited" in body("annual-review")
