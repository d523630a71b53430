"""Model letters: what the parent typed goes in, no placeholder is left, .docx opens."""

from __future__ import annotations

import io

import docx
import httpx
import pytest

from tests.chat import Parent

ANSWERS = {
    "parent_name": "Sam Okafor",
    "parent_address": "12 Park Road, Leeds, LS6 2AB",
    "child_name": "Ayo",
    "child_dob": "14/03/2015",
    "school_name": "Meadow Lane Primary",
    "council": "Leeds",
    "difficulties": "Ayo cannot cope with noise in the hall and misses most of assembly.",
    "help_needed": "Ear defenders and a quiet place to eat lunch.",
    "request_date": "3 March 2025",
    "decision_date": "1 September 2025",
    "what_changed": "Ayo now has a diagnosis of dyspraxia and cannot write for long.",
    "preferred_school": "Oakfield Specialist College",
    "school_reasons": "It has small classes and an on-site speech therapist.",
    "complaint": "The school has not given the 1:1 reading help agreed in May.",
    "outcome": "Start the reading help this term and tell me who gives it.",
}
QUESTIONS = {
    "What name should I sign": "parent_name",
    "What is your address": "parent_address",
    "What is your child's name": "child_name",
    "date of birth": "child_dob",
    "name of your child's school": "school_name",
    "Which council is it": "council",
    "what does your child find hard": "difficulties",
    "What changes would help": "help_needed",
    "What date did you ask the council": "request_date",
    "What date is on the council's decision letter": "decision_date",
    "what has changed for your child": "what_changed",
    "Which school or college do you want named": "preferred_school",
    "why is that school right": "school_reasons",
    "what is your complaint": "complaint",
    "What would you like the school to do": "outcome",
}
LETTERS = {
    "Ask for an EHC needs assessment": [
        "Ayo",
        "Meadow Lane Primary",
        "Leeds City Council",
        "section 36(1)",
        "cannot cope with noise",
    ],
    "Ask school for adjustments": [
        "Ayo",
        "Meadow Lane Primary",
        "Ear defenders",
        "Equality Act 2010",
    ],
    "Ask why a deadline was missed": ["Ayo", "on 3 March 2025", "Leeds City Council"],
    "Ask for my child's records": ["Ayo", "Meadow Lane Primary", "subject access request"],
    "Ask for a mediation certificate": ["Ayo", "dated 1 September 2025", "Leeds City Council"],
    "Ask for an early review of a plan": [
        "Ayo",
        "early review",
        "Leeds City Council",
        "diagnosis of dyspraxia",
        "section 44(1)",
    ],
    "Ask for a re-assessment": [
        "Ayo",
        "re-assessment",
        "Leeds City Council",
        "diagnosis of dyspraxia",
        "section 44(2)",
    ],
    "Ask for a school to be named": [
        "Ayo",
        "Oakfield Specialist College",
        "on-site speech therapist",
        "Leeds City Council",
        "section 39",
    ],
    "Ask the council for its records": [
        "Ayo",
        "Article 15",
        "one month",
        "Data Protection Officer\nLeeds City Council",
    ],
    "Complain to the school's governors": [
        "Ayo",
        "Chair of Governors\nMeadow Lane Primary",
        "1:1 reading help agreed in May",
        "Start the reading help this term",
    ],
}


async def answer_questions(parent: Parent, limit: int = 16) -> list[str]:
    """Answer each question the letter flow asks; the keys asked, in order."""
    asked = []
    for _ in range(limit):
        question = parent.replies[-1]["text"]
        key = next((k for hint, k in QUESTIONS.items() if hint in question), None)
        if key is None:
            break
        asked.append(key)
        await parent.say(ANSWERS[key])
    return asked


async def write_letter(parent: Parent, label: str, menu: bool = True) -> dict:
    if menu:
        await parent.at_main_menu()
        await parent.press("Model letters")
    await parent.press(label)
    await answer_questions(parent)
    assert "Please check your answers" in parent.text
    await parent.press("Make the letter")
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
    # The layout: sender's name and address, the date (no weekday), who it is to,
    # and a subject line with the child's name and date of birth.
    assert text.startswith("Sam Okafor\n12 Park Road\nLeeds\nLS6 2AB\n\n")
    assert "Re: Ayo, date of birth 14 March 2015" in text
    assert "day " not in text.split("\n\n")[1]  # "6 December 2026", no "Sunday"
    for weekday in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"):
        assert weekday not in text
    assert "Leeds Council" not in text
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
    assert "Re: Ayo, date of birth 14 March 2015" in words
    assert "{" not in words


async def test_only_the_questions_a_letter_needs_are_asked(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press("Ask for my child's records")
    asked = await answer_questions(parent)
    assert asked == ["parent_name", "parent_address", "child_name", "child_dob", "school_name"]


async def test_documents_are_refused_when_unknown_or_not_written(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for key in ["letter:ask-for-assessment", "letter:nope", "calendar:x"]:
        response = await client.get("/api/chat/document", params={"key": key}, headers=parent.auth)
        assert response.status_code == 404
        assert response.json()["detail"]
