"""Every kind of flow node, driven through the chat API (tests/data/flows/kinds.yml)."""

from __future__ import annotations

import httpx
import pytest

from tests.chat import Parent


@pytest.fixture
async def parent(client: httpx.AsyncClient) -> Parent:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Every node kind")
    assert "Testing every kind of node." in parent.text
    return parent


async def test_say_with_buttons_waits_for_a_choice(parent: Parent) -> None:
    assert parent.buttons[0] == "Dates"
    await parent.say("something unrelated")
    assert "Did you mean" in parent.replies[0]["text"]
    assert parent.replies[0]["buttons"][-1]["label"] == "Talk to a person"
    assert "Dates" in parent.buttons  # the same choice is offered again


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("14/03/2025", "Friday 14 March 2025"),
        ("14 March 2025", "Friday 14 March 2025"),
        ("1st Feb 2024", "Thursday 1 February 2024"),
        ("29/02/2024", "Thursday 29 February 2024"),
    ],
)
async def test_ask_date_reads_uk_dates(parent: Parent, typed: str, shown: str) -> None:
    await parent.press("Dates")
    await parent.say(typed)
    assert parent.text == f"Saved: {shown}."


@pytest.mark.parametrize(
    "typed", ["31/02/2025", "29/02/2025", "next-ish", "14/14/2025", "1/1/1850"]
)
async def test_ask_date_re_asks_kindly_when_it_cannot_read_the_date(
    parent: Parent, typed: str
) -> None:
    await parent.press("Dates")
    await parent.say(typed)
    assert "couldn't read that as a date" in parent.replies[0]["text"]
    assert parent.replies[-1]["text"] == "When did it happen?"
    await parent.say("2 January 2025")
    assert parent.text == "Saved: Thursday 2 January 2025."


async def test_ask_number_with_limits_then_action_then_condition(parent: Parent) -> None:
    await parent.press("Numbers")
    await parent.say("eleven")
    assert parent.replies[0]["text"] == "That needs to be a whole number from 1 to 10."
    await parent.say("11")
    assert parent.replies[0]["text"] == "That needs to be a whole number from 1 to 10."
    await parent.say("7")
    assert parent.text == "Big: 14."


@pytest.mark.parametrize(("number", "expected"), [("1", "Small: 2."), ("3", "Middle: 6.")])
async def test_when_picks_the_first_matching_branch_or_else(
    parent: Parent, number: str, expected: str
) -> None:
    await parent.press("Numbers")
    await parent.say(number)
    assert parent.text == expected


async def test_ask_yes_no_by_button_word_or_skip(parent: Parent) -> None:
    await parent.press("Yes or no")
    assert parent.buttons == ["Yes", "No", "Skip this question"]
    await parent.press("No")
    assert parent.text == "Sky: no."
    await parent.say("back")
    await parent.say("yep")
    assert parent.text == "Sky: yes."
    await parent.say("back")
    await parent.say("maybe")
    assert "Please answer yes or no" in parent.replies[0]["text"]
    await parent.press("Skip this question")
    assert parent.text == "Sky: skipped."


async def test_ask_choice_by_button_number_or_label(parent: Parent) -> None:
    await parent.press("Choices")
    assert parent.buttons == ["Red", "Green", "Blue"]
    await parent.press("Blue")
    assert parent.text == "Colour: azure."
    await parent.say("back")
    await parent.say("2")
    assert parent.text == "Colour: Green."
    await parent.say("back")
    await parent.say("purple")
    assert "pick one of the options" in parent.replies[0]["text"]
    await parent.say("red")
    assert parent.text == "Colour: Red."


async def test_ask_free_text_keeps_unicode_and_emoji(parent: Parent) -> None:
    await parent.press("Free text")
    await parent.say("Zoë 😊 can’t cope — 日本語 <b>bold</b>")
    assert parent.text == "You said: Zoë 😊 can’t cope — 日本語 <b>bold</b>"


async def test_goto_flow_and_article_nodes(parent: Parent) -> None:
    await parent.press("Jump")
    assert parent.text == "Jumped here."
    await parent.say("menu")
    await parent.press("Every node kind")
    await parent.press("Other flow")
    assert "**Asking for an EHC needs assessment**" in parent.text  # ehcp flow, node 'request'
    await parent.say("menu")
    await parent.press("Every node kind")
    await parent.press("Article")
    assert "EHC plan timescales" in parent.text
    assert "Source: Special Educational Needs and Disability Regulations 2014" in parent.text
    await parent.press("Read more")
    assert "regulation 13(1)" in parent.text


async def test_a_missing_variable_becomes_its_fallback_not_an_error(parent: Parent) -> None:
    await parent.press("Missing variable")
    assert parent.text == "Hello and friend."
