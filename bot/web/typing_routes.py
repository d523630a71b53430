"""Typing notices: the parent's web chat and the champion's reply box say "typing".

Both answer 204 with no body and change nothing; they only publish a notice that
the other side's open stream turns into "… is typing" (bot/handoff/typing.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import bearer_token, hash_token
from bot.handoff import tickets
from bot.handoff.typing import to_console_topic, to_parent_topic
from bot.services import Services
from bot.staff.sessions import SignedIn
from bot.store.web_sessions import session_of_token
from bot.web import auth
from bot.web.chat_access import not_yours
from bot.web.ids import RowId

router = APIRouter()
Who = Annotated[SignedIn, Depends(auth.signed_in)]


def _services(request: Request) -> Services:
    return request.app.state.services


@router.post("/api/chat/typing")
async def parent_typing(request: Request) -> Response:
    """The parent is typing; told to the champion who has claimed their chat, if any."""
    services = _services(request)
    token = bearer_token(request.headers.get("authorization"))
    holder = (
        await services.database.read(session_of_token, CHANNEL, hash_token(token))
        if token
        else None
    )
    if holder is None:
        return not_yours(services)
    ticket = await services.database.read(tickets.open_ticket_of, holder.parent_id)
    if ticket is not None and ticket.status == "claimed":
        services.events.publish(to_console_topic(ticket.id))
    return Response(status_code=204)


@router.post("/console/tickets/{ticket_id}/typing")
async def champion_typing(request: Request, ticket_id: RowId, who: Who) -> Response:
    """The champion who holds this ticket is typing a reply; told to a web chat parent."""
    await auth.checked_form(request, who)
    services = _services(request)
    ticket = await services.database.read(tickets.get_ticket, ticket_id)
    held = ticket is not None and ticket.status == "claimed" and ticket.claimed_by == who.member.id
    if not held or ticket is None or ticket.chat_id is None:
        return Response(status_code=204)  # only the holder's typing reaches the parent
    services.events.publish(to_parent_topic(ticket.channel, ticket.chat_id))
    return Response(status_code=204)
