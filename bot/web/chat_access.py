"""Who may post to a web chat session, and how often (see DESIGN.md, the web chat API).

- A session id the server has not seen starts a new session: the reply carries the
  session id and a secret, issued here (bot/channels/webchat_secrets.py).
- A known session needs `Authorization: Bearer <secret>`. Without it the answer is
  401 in the usual replies shape, so a stranger who learns an id can neither read
  nor write that family's conversation.
- A retry of a session's first request (its response lost) gets the same secret.
- A session from before secrets existed, or one ended on its page, cannot be
  continued: the request starts a new conversation under a new id.
- Flood limits: messages per session, new sessions per client address.

Crisis first: the message is screened before anything else, and a crisis is never
refused, neither by a flood limit nor by a database that does not answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import (
    RETRY_WINDOW,
    bearer_token,
    hash_token,
    issue_token,
    matches,
)
from bot.core.dispatcher import CRISIS_SAVE_SECONDS
from bot.core.types import Inbound, Reply
from bot.services import Services
from bot.store.models import utcnow
from bot.store.web_sessions import SessionAccess, session_access
from bot.web.client import client_address

if TYPE_CHECKING:
    from bot.web.chat_api import ChatRequest

log = logging.getLogger(__name__)

# How long a message waits to learn whose session it is before the parent is asked
# to try again (a stalled database must never leave a parent watching "typing…").
ACCESS_WAIT_SECONDS = 4.0
# A crisis waits less: if the database has not answered by then, the numbers go out.
CRISIS_ACCESS_WAIT_SECONDS = 1.0
# What a stalled database's "try again" suggests.
TRY_AGAIN_SECONDS = 30


@dataclasses.dataclass(frozen=True, slots=True)
class ChatPlace:
    """Where a page's sessions live: the web chat, or an admin's own preview chats
    (`scope` keeps each admin's preview sessions apart from everyone else's)."""

    channel: str = CHANNEL
    scope: str = ""

    def chat_id(self, session: str) -> str:
        return f"{self.scope}{session}"[:128]


WEB_CHAT = ChatPlace()


@dataclasses.dataclass(frozen=True, slots=True)
class Admitted:
    session: str  # the session id the message is handled under
    new_token: str | None = None  # a secret issued with this reply
    announce: str | None = None  # the session id to tell the page (with new_token)


async def admit(
    services: Services, body: ChatRequest, request: Request, place: ChatPlace = WEB_CHAT
) -> Admitted | JSONResponse:
    """Admitted, or the response that refuses the request (401, 429 or 503).

    A crisis is not held up by a slow database: after CRISIS_ACCESS_WAIT_SECONDS the
    numbers go back at once, and the message is admitted and handled in the
    background (saved, urgent ticket) once the database answers.
    """
    crisis = services.dispatcher.crisis_reply(body.text) if body.text is not None else None
    lookup = asyncio.ensure_future(
        services.database.read(session_access, place.channel, place.chat_id(body.session))
    )
    wait = CRISIS_ACCESS_WAIT_SECONDS if crisis is not None else ACCESS_WAIT_SECONDS
    # Not asyncio.wait_for: cancelling a query to a stalled server can itself stall.
    await asyncio.wait({lookup}, timeout=wait)
    if not lookup.done():
        log.warning("web chat: session lookup is waiting on the database")
        if crisis is not None:
            services.dispatcher.carry_on(
                _admit_later(services, body, request, place, lookup, crisis)
            )
            return _replies([crisis], 200)
        lookup.add_done_callback(_ignore_outcome)
        return _words(services, "try_again_soon", 503, TRY_AGAIN_SECONDS)
    if lookup.exception() is not None:
        log.warning("web chat: session lookup failed (%s)", type(lookup.exception()).__name__)
        if crisis is not None:
            return _replies([crisis], 200)  # not saved, but never withheld
        return _words(services, "try_again_soon", 503, TRY_AGAIN_SECONDS)
    return await _decide(services, body, request, place, lookup.result(), crisis)


async def _decide(
    services: Services,
    body: ChatRequest,
    request: Request,
    place: ChatPlace,
    access: SessionAccess | None,
    crisis: Reply | None,
) -> Admitted | JSONResponse:
    token = bearer_token(request.headers.get("authorization"))
    if access is None:
        return await _new_session(services, request, body, place, body.session, crisis)
    if access.token_hash is None:
        # From before secrets existed, or ended by "End and clear this chat".
        fresh_id = secrets.token_urlsafe(18)
        return await _new_session(services, request, body, place, fresh_id, crisis)
    if matches(token, access.token_hash):
        allowed = await _within_message_limit(services, place.chat_id(body.session), crisis)
        return allowed or Admitted(body.session)
    retried = _retried_first_token(services, body, place, access)
    if retried is not None:
        return Admitted(body.session, retried, body.session)
    return not_yours(services)


async def _admit_later(
    services: Services,
    body: ChatRequest,
    request: Request,
    place: ChatPlace,
    lookup: asyncio.Future[SessionAccess | None],
    crisis: Reply,
) -> None:
    """The crisis whose numbers already went back: saved, with its urgent ticket, for
    the session it belongs to, once the database answers."""
    deadline = time.monotonic() + CRISIS_SAVE_SECONDS
    while True:
        try:
            access = await lookup
            break
        except Exception as exc:
            if time.monotonic() > deadline:
                log.error("web chat: a crisis could not be saved (%s)", type(exc).__name__)
                return
        await asyncio.sleep(2.0)
        lookup = asyncio.ensure_future(
            services.database.read(session_access, place.channel, place.chat_id(body.session))
        )
    admitted = await _decide(services, body, request, place, access, crisis)
    if isinstance(admitted, Admitted):
        await services.dispatcher.handle(to_inbound(admitted, body, place))


def to_inbound(admitted: Admitted, body: ChatRequest, place: ChatPlace = WEB_CHAT) -> Inbound:
    """The message as the core reads it; a new session's secret goes with it (hashed)."""
    return Inbound(
        channel=place.channel,
        chat_id=place.chat_id(admitted.session),
        message_id=body.message_id,
        text=body.text,
        payload=body.payload,
        received_at=utcnow(),
        access_token_hash=hash_token(admitted.new_token) if admitted.new_token else None,
    )


def _ignore_outcome(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not report it as lost


def not_yours(services: Services) -> JSONResponse:
    response = _words(services, "chat_not_yours", 401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _new_session(
    services: Services,
    request: Request,
    body: ChatRequest,
    place: ChatPlace,
    session: str,
    crisis: Reply | None,
) -> Admitted | JSONResponse:
    if services.flood is not None and crisis is None:
        wait = await services.flood.new_session_wait(client_address(request))
        if wait is not None:
            return _words(services, "too_many_new_chats", 429, wait)
    refused = await _within_message_limit(services, place.chat_id(session), crisis)
    if refused is not None:
        return refused
    token = issue_token(
        services.session_key, place.channel, place.chat_id(session), body.message_id
    )
    return Admitted(session, token, session)


async def _within_message_limit(
    services: Services, session: str, crisis: Reply | None
) -> JSONResponse | None:
    """None if the message may go on; a crisis always may."""
    if services.flood is None:
        return None
    wait = await services.flood.message_wait(session)
    if wait is None or crisis is not None:
        return None
    return _words(services, "too_many_messages", 429, wait)


def _retried_first_token(
    services: Services, body: ChatRequest, place: ChatPlace, access: SessionAccess
) -> str | None:
    """The session's secret, if this is its first request sent again soon after."""
    if body.message_id is None or utcnow() - access.created_at > RETRY_WINDOW:
        return None
    chat_id = place.chat_id(body.session)
    token = issue_token(services.session_key, place.channel, chat_id, body.message_id)
    return token if matches(token, access.token_hash) else None


def _words(
    services: Services, key: str, status: int, retry_after: int | None = None
) -> JSONResponse:
    text = services.content.current.system_text(key)
    response = _replies([Reply(text)], status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _replies(replies: list[Reply], status: int) -> JSONResponse:
    return JSONResponse(
        {"replies": [reply.to_json() for reply in replies]},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
