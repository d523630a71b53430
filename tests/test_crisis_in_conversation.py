"""A crisis gets the crisis message at once, in every state, and is flagged urgent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from bot.handoff import tickets
from bot.safety.message import REQUIRED_NUMBERS
from bot.store.conversations import conversation_variables, urgent_conversations
from tests.chat import Parent

CRISIS = "my daughter says she wants to kill herself"


async def fresh(parent: Parent) -> None:
    return None


async def at_main_menu(parent: Parent) -> None:
    await parent.at_main_menu()


async def mid_date_question(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("EHC plans")
    await parent.press("Work out my deadlines")


async def mid_choice_question(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    await parent.say("12")


async def mid_free_text_question(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("Every node kind")
    await parent.press("Free text")


async def reading_an_article(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.press("Your child's rights at school")
    await parent.press("Does my child count as disabled?")


async def after_stop(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.say("stop")


STATES: dict[str, Callable[[Parent], Awaitable[None]]] = {
    "first message": fresh,
    "main menu": at_main_menu,
    "mid date question": mid_date_question,
    "mid choice question": mid_choice_question,
    "mid free-text question": mid_free_text_question,
    "reading an article": reading_an_article,
    "after stop": after_stop,
}


def assert_crisis_message(replies: list[dict]) -> None:
    first = replies[0]["text"]
    digits = "".join(c for c in first if c.isdigit())
    for number in REQUIRED_NUMBERS:
        assert number.replace(" ", "") in digits, number
    # Then a Parent Champion is alerted, and the parent can carry on with the bot.
    assert "Parent Champion" in replies[-1]["text"]
    assert "Back to the bot" in [b["label"] for b in replies[-1]["buttons"]]


@pytest.mark.parametrize("state", list(STATES))
async def test_a_crisis_is_answered_at_once_in_every_state(
    app_and_client: tuple, state: str
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await STATES[state](parent)
    await parent.say(CRISIS)
    assert_crisis_message(parent.replies)

    database = app.state.services.database
    flagged = await database.read(urgent_conversations)
    assert [(u.channel, u.chat_id) for u in flagged] == [("web", parent.session)]
    assert flagged[0].urgent_since is not None
    # Every crisis reaches the champions' queue, at the top.
    queue = await database.read(tickets.queue, None)
    assert [(t.chat_id, t.urgency, t.category) for t in queue] == [
        (parent.session, "crisis", "crisis")
    ]


async def test_the_answer_to_a_question_is_not_saved_when_it_is_a_crisis(
    app_and_client: tuple,
) -> None:
    parent = Parent(app_and_client[1])
    await mid_free_text_question(parent)
    await parent.say("I can't cope, he ran away an hour ago")
    assert_crisis_message(parent.replies)
    variables = await app_and_client[0].state.services.database.read(
        conversation_variables, "web", parent.session
    )
    assert "anything" not in variables
    await parent.press("Back to the bot")
    assert "You're back with the Champion bot" in parent.text
    assert "What would you like help with?" in parent.text


@pytest.mark.parametrize(
    "message",
    [
        "I'm scared I'll hurt my son, I can't take any more",
        "he took too many of his tablets",
        "she's been cutting herself and I don't know what to do",
        "my child is missing",
        "they restrained him at school and he's covered in bruises",
        "my son doesn't want to be alive",
    ],
)
async def test_different_kinds_of_crisis(client: httpx.AsyncClient, message: str) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(message)
    assert_crisis_message(parent.replies)


async def test_a_crisis_at_the_end_of_a_very_long_message_is_still_caught(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    story = "The school have been difficult all year about his support. " * 300
    await parent.say(story + " Tonight he told me he wants to kill himself.")
    assert len(story) > 4000
    assert_crisis_message(parent.replies)


async def test_everyday_worries_do_not_raise_an_alarm(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    for message in [
        "the school is killing me with all these meetings",
        "he's being sent home at lunchtime",
        "the draft plan is missing his speech therapy",
    ]:
        await parent.say(message)
        assert "999" not in parent.text, message
    assert await app.state.services.database.read(urgent_conversations) == []
