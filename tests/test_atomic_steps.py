"""A crash mid-message leaves nothing half-written."""

from __future__ import annotations

import httpx

from tests.chat import Parent


async def test_a_failing_action_rolls_back_the_whole_step(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Every node kind")
    await parent.press("Numbers")
    await parent.say("4")  # saves number=4, waits at 'middle'
    await parent.say("menu")
    await parent.press("Every node kind")
    before = await parent.history()
    numbers_button = parent.payload_of("Numbers")

    await parent.press("Broken action")

    assert "something went wrong on our side" in parent.text
    assert await parent.history() == before  # no message, no reply stored
    # The conversation is still where it was before the crash.
    await parent.send(payload=numbers_button)
    assert parent.text == "Pick a number from 1 to 10."
