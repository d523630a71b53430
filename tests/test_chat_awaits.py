"""The web chat's `awaits`: the page offers a file picker (and a long paste) exactly
while the conversation waits for a plan, and says nothing of it otherwise.

The reply takes it from the step that was just saved rather than reading the
conversation back, so each reply is also checked against what the database holds."""

from __future__ import annotations

from typing import Any

from bot.web.chat_api import awaited
from tests.chat import Parent


async def _check(app: Any, parent: Parent, response: Any) -> str | None:
    """The reply's `awaits`, which must agree with the stored conversation."""
    assert response.status_code == 200, response.text
    parent.replies = response.json()["replies"]
    shown = response.json().get("awaits")
    assert shown == await awaited(app.state.services, parent.session)
    return shown


async def test_the_picker_shows_only_while_a_plan_is_awaited(app_and_client) -> None:
    app, client = app_and_client
    parent = Parent(client)
    assert await _check(app, parent, await parent.post(payload="global:start")) is None
    ok = parent.payload_of("OK, let's start")
    assert await _check(app, parent, await parent.post(payload=ok)) is None
    ask = "can you check section F of my son's draft plan"
    asked = await parent.post(text=ask, message_id="m-1")
    assert await _check(app, parent, asked) == "plan"
    # The same message again (a retried delivery) is answered as before, still waiting.
    repeated = await parent.post(text=ask, message_id="m-1")
    assert await _check(app, parent, repeated) == "plan"
    assert await _check(app, parent, await parent.post(text="menu")) is None
    assert await _check(app, parent, await parent.post(text=ask)) == "plan"
    assert await _check(app, parent, await parent.post(text="stop")) is None
