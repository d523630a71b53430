"""'Is typing' notices: who may send them and who hears them (the pages themselves are
covered in tests/test_presence_browser.py). Listening is done on the app's own event
bus, the one the Redis bridge carries between processes."""

from __future__ import annotations

from typing import Any

from bot.handoff import tickets
from bot.handoff.typing import to_console_topic, to_parent_topic
from tests.chat import Parent
from tests.console import Champion, add_account, ask_for_a_champion, client_for


async def champion(app: Any, areas: list[str]) -> Champion:
    sam = Champion(client_for(app), await add_account(app, "champion", areas, "Sam"))
    assert (await sam.sign_in()).status_code == 303
    return sam


async def waiting_ticket(app: Any, parent: Parent) -> tickets.TicketView:
    queue = await app.state.services.database.read(tickets.queue, None)
    return next(t for t in queue if t.chat_id == parent.session)


async def test_typing_reaches_the_other_side_only_once_a_champion_has_the_chat(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    events = app.state.services.events
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    ticket = await waiting_ticket(app, parent)
    sam = await champion(app, ["Leeds"])
    other = await champion(app, ["Leeds"])

    with (
        events.subscribe(to_console_topic(ticket.id)) as console_side,
        events.subscribe(to_parent_topic("web", parent.session)) as parent_side,
    ):
        # Waiting in the queue: nobody has the chat, so nobody hears the parent type.
        typed = await client.post("/api/chat/typing", headers=parent.auth)
        assert typed.status_code == 204
        assert console_side.heard() == []

        assert (await sam.claim(ticket.id)).status_code == 303
        typed = await client.post("/api/chat/typing", headers=parent.auth)
        assert typed.status_code == 204
        assert console_side.heard() == [to_console_topic(ticket.id)]

        # Only the champion holding the ticket is shown typing to the parent.
        assert (await other.post(f"/console/tickets/{ticket.id}/typing")).status_code == 204
        assert parent_side.heard() == []
        assert (await sam.post(f"/console/tickets/{ticket.id}/typing")).status_code == 204
        assert parent_side.heard() == [to_parent_topic("web", parent.session)]


async def test_typing_notices_need_the_chat_secret_or_the_console_form_token(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    ticket = await waiting_ticket(app, parent)
    sam = await champion(app, ["Leeds"])
    await sam.claim(ticket.id)

    stranger = await client.post("/api/chat/typing")
    assert stranger.status_code == 401 and stranger.json()["replies"]
    wrong = await client.post("/api/chat/typing", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401

    forged = await sam.client.post(f"/console/tickets/{ticket.id}/typing")
    assert forged.status_code == 403
    signed_out = await client_for(app).post(
        f"/console/tickets/{ticket.id}/typing", data={"csrf_token": sam.csrf}
    )
    assert signed_out.status_code == 401
