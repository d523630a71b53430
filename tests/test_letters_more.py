"""Letters (issue #19): known answers are not asked again, every answer can be changed
at the review, councils by their full name, and each letter's questions exist."""

from __future__ import annotations

import datetime as dt
import io

import docx
import httpx
import yaml

from bot.config import PROJECT_ROOT
from bot.knowledge.letters import (
    LAYOUT_FIELDS,
    day_in_words,
    fill_letter,
    letter_docx,
    load_letters,
)
from bot.triage.local_authorities import load_local_authorities
from tests.chat import Parent
from tests.test_councils import triage_to_the_end
from tests.test_letters import ANSWERS, answer_questions

LETTERS = load_letters(PROJECT_ROOT / "knowledge" / "letters")
FLOW = yaml.safe_load((PROJECT_ROOT / "flows" / "letters.yml").read_text(encoding="utf-8"))
COUNCILS = load_local_authorities(PROJECT_ROOT / "knowledge" / "local_authorities.yml")


def test_every_question_a_letter_needs_has_its_node_and_label() -> None:
    chosen = [c["value"] for c in FLOW["nodes"]["choose"]["choices"]]
    assert len(chosen) >= 10 and set(chosen) <= set(LETTERS.letters)
    # A letter another flow starts (the draft-plan comments) may set its own answers.
    for letter in (LETTERS.letters[letter_id] for letter_id in chosen):
        assert letter.questions[: len(LAYOUT_FIELDS)] == list(LAYOUT_FIELDS)
        for name in letter.questions:
            node = FLOW["nodes"].get(name)
            assert node is not None and node.get("save") == name, (letter.meta.id, name)
            assert node.get("next") == "next_step"
            assert name in FLOW["data"]["labels"]
        assert all(source.section for source in letter.meta.sources), letter.meta.id


def test_the_layout_has_no_weekday_and_the_council_full_name() -> None:
    letter = LETTERS.letters["ask-for-assessment"]
    answers = {
        "parent_name": "Sam Okafor",
        "parent_address": "12 Park Road\nLeeds, LS6 2AB",
        "child_name": "Ayo",
        "child_dob": "2017-03-03",
        "school_name": "Meadow Lane Primary",
        "local_authority": "Leeds",
        # Left over from an earlier council: never used, the chosen council wins.
        "council_full_name": "Kent County Council",
        "difficulties": "Reading.",
    }
    filled = fill_letter(letter, answers, dt.date(2026, 12, 6), COUNCILS)
    assert filled.missing == []
    blocks = filled.text.split("\n\n")
    assert blocks[:4] == [
        "Sam Okafor\n12 Park Road\nLeeds\nLS6 2AB",
        "6 December 2026",
        "The SEND team\nLeeds City Council",
        "Re: Ayo, date of birth 3 March 2017",
    ]
    assert "Friday" not in filled.text and "Kent" not in filled.text
    assert day_in_words(dt.date(2017, 3, 3)) == "3 March 2017"
    opened = docx.Document(io.BytesIO(letter_docx(filled)))
    assert opened.paragraphs[3].runs[0].bold
    assert "Re: Ayo, date of birth 3 March 2017" in opened.paragraphs[3].text


def test_a_letter_without_every_answer_is_not_made() -> None:
    letter = LETTERS.letters["council-records"]
    filled = fill_letter(letter, {"parent_name": "Sam"}, dt.date(2026, 12, 6), COUNCILS)
    assert filled.missing == ["parent_address", "child_name", "child_dob", "local_authority"]


async def test_the_review_shows_every_answer_and_any_can_be_changed(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press("Ask for an EHC needs assessment")
    await answer_questions(parent)
    review = parent.text
    assert "Please check your answers" in review
    for line in [
        "Your name: Sam Okafor",
        "Your address: 12 Park Road, Leeds, LS6 2AB",
        "Your child's name: Ayo",
        "Date of birth: 14 March 2015",
        "School or nursery: Meadow Lane Primary",
        "Council: Leeds City Council",
    ]:
        assert line in review, line
    assert parent.buttons[:2] == ["Make the letter", "Change an answer"]

    # Change the child's name, then the council: each question comes back, then the review.
    await parent.press("Change an answer")
    assert "Which answer would you like to change?" in parent.text
    await parent.press("Your child's name")
    assert "What is your child's name?" in parent.text
    await parent.say("Ayodele")
    assert "Your child's name: Ayodele" in parent.text
    await parent.press("Change an answer")
    await parent.press("Council")
    await parent.say("Kent")
    assert "Council: Kent County Council" in parent.text

    await parent.press("Make the letter")
    reply = next(r for r in parent.replies if r.get("document"))
    assert "Re: Ayodele, date of birth 14 March 2015" in reply["text"]
    assert "The SEND team\nKent County Council" in reply["text"]
    assert "Leeds City Council" not in reply["text"]
    response = await parent.download(reply["document"]["url"])
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "Ayodele" in words and "Kent County Council" in words


async def test_a_second_letter_asks_only_what_is_new(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press("Ask why a deadline was missed")
    await answer_questions(parent)
    await parent.press("Make the letter")
    await parent.press("Another letter")
    await parent.press("Ask for a re-assessment")
    asked = await answer_questions(parent)
    assert asked == ["what_changed"]
    assert "Council: Leeds City Council" in parent.text
    await parent.press("Make the letter")
    reply = next(r for r in parent.replies if r.get("document"))
    assert ANSWERS["what_changed"] in reply["text"]


async def test_the_council_saved_by_triage_is_not_asked_again(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await triage_to_the_end(parent, "Leeds")
    await parent.say("menu")
    await parent.press("Model letters")
    await parent.press("Ask the council for its records")
    asked = await answer_questions(parent)
    assert asked == ["parent_name", "parent_address", "child_name", "child_dob"]
    assert "Council: Leeds City Council" in parent.text
    await parent.press("Make the letter")
    reply = next(r for r in parent.replies if r.get("document"))
    assert "The Data Protection Officer\nLeeds City Council" in reply["text"]
    assert "{" not in reply["text"]
