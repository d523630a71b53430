"""Model letters: what the parent typed goes in, no placeholder is left, .docx opens."""

from __future__ import annotations

import io

import docx
import httpx
import pytest

from tests.chat import Parent

ANSWERS = {
    "parent_name": "Sam Okafor",
    "child_name": "Ayo",
    "child_dob": "14/03/2015",
    "school_name": "Meadow Lane Primary",
    "council": "Leeds",
    "difficulties": "Ayo cannot cope with noise in the hall and misses most of assembly.",
    "help_needed": "Ear defenders and a quiet place to eat lunch.",
    "request_date": "3 March 2025",
    "decision_date": "1 September 2025",
}
QUESTIONS = {
    "What name should I sign": "parent_name",
    "What is your child's name": "child_name",
    "date of birth": "child_dob",
    "name of your child's school": "school_name",
    "Which council is it": "council",
    "what does your child find hard": "difficulties",
    "What changes would help": "help_needed",
    "What date did you ask the council": "request_date",
    "What date is on the council's decision letter": "decision_date",
}
LETTERS = {
    "Ask for an EHC needs assessment": [
        "Ayo",
        "Meadow Lane Primary",
        "Leeds Council",
        "section 36(1)",
        "cannot cope with noise",
    ],
    "Ask school for adjustments": [
        "Ayo",
        "Meadow Lane Primary",
        "Ear defenders",
        "Equality Act 2010",
    ],
    "Ask why a deadline was missed": ["Ayo", "Monday 3 March 2025", "Leeds Council"],
    "Ask for my child's records": ["Ayo", "Meadow Lane Primary", "subject access request"],
    "Ask for a mediation certificate": ["Ayo", "Monday 1 September 2025", "Leeds Council"],
}


async def write_letter(parent: Parent, label: str) -> dict:
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press(label)
    for _ in range(10):
        question = parent.replies[-1]["text"]
        key = next((k for hint, k in QUESTIONS.items() if hint in question), None)
        if key is None:
            break
        await parent.say(ANSWERS[key])
    return next(r for r in parent.replies if r.get("document"))


@pytest.mark.parametrize("label", list(LETTERS))
async def test_each_letter_has_what_the_parent_typed_and_no_placeholder(
    client: httpx.AsyncClient, label: str
) -> None:
    parent = Parent(client)
    reply = await write_letter(parent, label)
    text = reply["text"]
    for expected in LETTERS[label]:
        assert expected in text, expected
    assert "Saturday 14 March 2015" in text  # the date of birth, in words
    assert text.rstrip().endswith("Sam Okafor")
    assert "{" not in text and "}" not in text

    # As the page does: the reply's link, fetched with the session's secret.
    response = await parent.download(reply["document"]["url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    opened = docx.Document(io.BytesIO(response.content))
    words = "\n".join(p.text for p in opened.paragraphs)
    assert "Sam Okafor" in words and LETTERS[label][0] in words
    assert "{" not in words


async def test_only_the_questions_a_letter_needs_are_asked(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press("Ask for my child's records")
    asked = []
    for _ in range(6):
        question = parent.replies[-1]["text"]
        key = next((k for hint, k in QUESTIONS.items() if hint in question), None)
        if key is None:
            break
        asked.append(key)
        await parent.say(ANSWERS[key])
    assert asked == ["parent_name", "child_name", "child_dob", "school_name"]


async def test_documents_are_refused_when_unknown_or_not_written(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for key in ["letter:ask-for-assessment", "letter:nope", "calendar:x"]:
        response = await client.get("/api/chat/document", params={"key": key}, headers=parent.auth)
        assert response.status_code == 404
        assert response.json()["detail"]
