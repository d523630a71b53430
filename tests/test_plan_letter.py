"""The comments letter at the end of "Check my draft plan" (issue #19): every finding
in the letter and its Word file, the last day for comments worked out from the day the
draft arrived (at least 15 days, reg 13(1)(a)), no question asked twice, and the
findings in "my data" and gone with "delete"."""

from __future__ import annotations

import datetime as dt
import io
import json

import docx
import httpx

from bot.knowledge.deadlines import draft_plan_comments_deadline
from bot.knowledge.letters import day_in_words
from bot.plan.checker import check_text
from bot.plan.comments import letter_comments
from tests.chat import Parent
from tests.plan_files import SECTION_F
from tests.test_letters import answer_questions

# Twelve vague sentences: more than the chat shows (10), all of which the letter lists.
MORE_VAGUE = [
    f"Sam will have access to {thing} as appropriate."
    for thing in (
        "a quiet space",
        "sensory breaks",
        "a reading programme",
        "social skills groups",
        "a visual timetable",
        "movement breaks",
        "a laptop",
        "a key adult",
        "a writing slope",
        "pre-teaching",
    )
]
PASTED = [*SECTION_F, *MORE_VAGUE]
VAGUE = [SECTION_F[0], SECTION_F[1], *MORE_VAGUE]
FINE = [SECTION_F[2], SECTION_F[3]]


def _today() -> dt.date:
    # Dates in these tests are a few days either side of today, so the answers hold
    # whether the chat counts the server's day or the parent's day in England.
    return dt.date.today()


# -- the rules ---------------------------------------------------------------


def test_the_last_day_is_the_fifteenth_day_counting_the_day_it_arrived() -> None:
    assert draft_plan_comments_deadline(dt.date(2025, 3, 3)) == dt.date(2025, 3, 17)
    assert draft_plan_comments_deadline(dt.date(2025, 12, 25)) == dt.date(2026, 1, 8)


def test_the_letter_body_has_every_vague_sentence_and_what_to_ask_for() -> None:
    data = {"gaps": {"who": "who will give it", "frequency": "how often"}}
    comments = letter_comments(check_text("\n".join(PASTED)).findings, data)
    text = comments["plan_comments"]
    for number, sentence in enumerate(VAGUE, start=1):
        assert f'{number}. Section F says: "{sentence}"' in text
    assert not any(sentence in text for sentence in FINE)
    assert "What is missing: who will give it and how often." in text
    assert "Please amend it to say who will give it and how often." in text
    assert comments["plan_comments_summary"] == "12 sentences from Section F"


# -- the chat ----------------------------------------------------------------


async def _checked(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.say("check my draft plan")
    await parent.say("\n".join(PASTED))
    assert "a letter of comments" in parent.text
    assert parent.buttons[:2] == ["The day it arrived", "Council's deadline"]


async def test_the_letter_lists_every_finding_with_the_last_day_for_comments(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await _checked(parent)
    arrived = _today() - dt.timedelta(days=3)
    last_day = arrived + dt.timedelta(days=14)
    await parent.press("The day it arrived")
    await parent.say(f"{arrived:%d/%m/%Y}")
    assert f"until at least **{last_day:%A} {day_in_words(last_day)}**" in parent.text
    await answer_questions(parent)
    assert "Your comments on Section F: 12 sentences from Section F" in parent.text
    await parent.press("Make the letter")
    reply = next(r for r in parent.replies if r.get("document"))
    text = reply["text"]
    for sentence in VAGUE:
        assert f'"{sentence}"' in text, sentence
    assert not any(sentence in text for sentence in FINE)
    assert "What is missing: who will give it" in text and "Please amend it to say" in text
    assert f"until at least {day_in_words(last_day)}" in text
    assert "Regulation 13(1)(a)" in text and "at least 15 days" in text
    assert "Leeds City Council" in text and "Re: Ayo, date of birth 14 March 2015" in text
    assert "{" not in text and "}" not in text
    # Then the offer of a Parent Champion, with the date again.
    after = parent.text.split(text)[-1]
    assert f"until at least **{last_day:%A} {day_in_words(last_day)}**" in after
    assert "Talk to a Parent Champion" in parent.buttons

    response = await parent.download(reply["document"]["url"])
    assert response.status_code == 200
    opened = docx.Document(io.BytesIO(response.content))
    words = "\n".join(p.text for p in opened.paragraphs)
    for sentence in VAGUE:
        assert f'"{sentence}"' in words, sentence
    assert f"until at least {day_in_words(last_day)}" in words
    assert "{" not in words and "}" not in words


async def test_an_arrival_date_still_to_come_is_asked_again(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await _checked(parent)
    await parent.press("The day it arrived")
    await parent.say(f"{_today() + dt.timedelta(days=2):%d/%m/%Y}")
    assert "That day hasn't come yet" in parent.text
    assert "What day did the draft plan reach you?" in parent.text
    await parent.say("31/02/2025")
    assert "couldn't read that as a date" in parent.text
    arrived = _today() - dt.timedelta(days=1)
    await parent.say(f"{arrived:%d/%m/%Y}")
    last_day = arrived + dt.timedelta(days=14)
    assert f"until at least **{last_day:%A} {day_in_words(last_day)}**" in parent.text


async def test_the_councils_own_deadline_is_used_when_given(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await _checked(parent)
    await parent.press("Council's deadline")
    deadline = _today() + dt.timedelta(days=20)
    await parent.say(f"{deadline:%d/%m/%Y}")
    assert f"until at least **{deadline:%A} {day_in_words(deadline)}**" in parent.text


async def test_what_the_letters_already_know_is_not_asked_again(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Model letters")
    await parent.press("Ask for an early review of a plan")
    await answer_questions(parent)
    await parent.press("Make the letter")
    await parent.say("menu")
    await parent.say("check my draft plan")
    await parent.say("\n".join(PASTED))
    await parent.press("The day it arrived")
    await parent.say("yesterday")
    # Name, address, child, date of birth and council are all known: straight to review.
    assert "Please check your answers" in parent.text
    assert "Council: Leeds City Council" in parent.text
    await parent.press("Make the letter")
    reply = next(r for r in parent.replies if r.get("document"))
    assert f'"{VAGUE[-1]}"' in reply["text"] and "Leeds City Council" in reply["text"]


async def test_no_letter_for_now_offers_a_parent_champion(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await _checked(parent)
    await parent.press("No letter for now")
    assert "A Parent Champion can go through the plan with you" in parent.text
    assert "Talk to a Parent Champion" in parent.buttons


async def test_findings_are_in_my_data_and_go_with_delete(app_and_client: tuple) -> None:
    from bot.store import conversations as store

    app, client = app_and_client
    parent = Parent(client)
    await _checked(parent)
    await parent.say("mydata")
    document = next(r["document"] for r in parent.replies if "document" in r)
    data = json.loads((await parent.download(document["url"])).content)
    held = data["conversation"][0]["variables"]
    assert VAGUE[-1] in held["plan_comments"]

    await parent.say("delete")
    await parent.press("Yes")
    assert "Everything Champion held about you has been deleted" in parent.text
    database = app.state.services.database
    variables = await database.read(store.conversation_variables, "web", parent.session)
    assert not variables or VAGUE[-1] not in json.dumps(variables)


async def test_the_last_day_can_be_changed_from_the_review(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await _checked(parent)
    await parent.press("The day it arrived")
    await parent.say(f"{_today() - dt.timedelta(days=2):%d/%m/%Y}")
    await answer_questions(parent)
    await parent.press("Change an answer")
    await parent.press("Last day for comments")
    assert "Which date can you tell me?" in parent.text
    await parent.press("Council's deadline")
    deadline = _today() + dt.timedelta(days=25)
    await parent.say(f"{deadline:%d/%m/%Y}")
    # Straight back to the review: nothing asked twice.
    assert f"Last day for comments: {day_in_words(deadline)}" in parent.text
    await parent.press("Make the letter")
    reply = next(r for r in parent.replies if r.get("document"))
    assert f"until at least {day_in_words(deadline)}" in reply["text"]
