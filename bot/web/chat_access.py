"""Who may post to a web chat session, and how often (see DESIGN.md, the web chat API).

- A session id the server has not seen starts a new session: the reply carries the
  session id and a secret, issued here (bot/channels/webchat_secrets.py). The new
  parent row is claimed with the secret's hash before the message is handled, so two
  first requests racing for one id cannot both write into it.
- A known session needs `Authorization: Bearer <secret>`. Without it the answer is
  401 in the usual replies shape, so a stranger who learns an id can neither read
  nor write that family's conversation.
- A retry of a session's first request (its response lost) gets the same secret.
- A session from before secrets existed, or one ended on its page, cannot be
  continued: the request starts a new conversation under a new id.
- Flood limits: messages per session, new sessions per client address.

Crisis first: the message is screened before anything else, and a crisis always gets
the numbers. A crisis the page cannot prove is its own starts a new conversation
(saved, urgent ticket); one over a flood limit gets the numbers but is not saved, so
a flood of crisis words cannot raise a flood of urgent tickets; one the database is
too slow to place gets the numbers at once and is saved in the background.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
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
from bot.core.dispatcher import CRISIS_SAVE_SECONDS, Dispatcher
from bot.core.types import Inbound, Reply
from bot.reading.reader import Reading
from bot.services import Services
from bot.store.models import utcnow
from bot.store.web_sessions import SessionAccess, claim_session, session_access
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
# Anything holding a transcript is never kept by a browser or proxy cache.
NO_STORE = {"Cache-Control": "no-store"}


@dataclasses.dataclass(frozen=True, slots=True)
class ChatPlace:
    """Where a page's sessions live: the web chat, or an admin's own preview chats
    (`scope` keeps each admin's preview sessions apart from everyone else's)."""

    channel: str = CHANNEL
    scope: str = ""

    def chat_id(self, session: str) -> str:
        chat_id = f"{self.scope}{session}"
        if len(chat_id) <= 128:
            return chat_id
        # Too long with the scope in front: a digest, so ids never collide by cutting.
        return self.scope + hashlib.sha256(session.encode()).hexdigest()


WEB_CHAT = ChatPlace()


@dataclasses.dataclass(frozen=True, slots=True)
class Admitted:
    session: str  # the session id the message is handled under (as the page knows it)
    new_token: str | None = None  # a secret issued with this reply, for `session`
    reading: Reading | None = None  # the message as screened at the door


@dataclasses.dataclass(frozen=True, slots=True)
class Gate:
    """One request at the door: what it asks, where, and what screens and answers it."""

    services: Services
    body: ChatRequest
    request: Request
    place: ChatPlace
    dispatcher: Dispatcher  # the preview's own, for an admin trying drafts
    reading: Reading | None  # the message screened once, here, for the whole request
    crisis: Reply | None
    presented: str | None  # the secret this request carries, if any


async def admit(
    services: Services,
    body: ChatRequest,
    request: Request,
    place: ChatPlace = WEB_CHAT,
    dispatcher: Dispatcher | None = None,
    cookie_token: str | None = None,
) -> Admitted | JSONResponse:
    """Admitted, or the response that answers the request without handling it.

    The secret comes in the Authorization header; `cookie_token` is the no-JavaScript
    page's (bot/web/chat_form.py), used only when no header came: the header wins."""
    dispatcher = dispatcher or services.dispatcher
    reading = await dispatcher.read(body.text)
    crisis = dispatcher.crisis_reply(reading)
    presented = bearer_token(request.headers.get("authorization")) or cookie_token
    gate = Gate(services, body, request, place, dispatcher, reading, crisis, presented)
    lookup = asyncio.ensure_future(_lookup(gate))
    wait = CRISIS_ACCESS_WAIT_SECONDS if crisis is not None else ACCESS_WAIT_SECONDS
    # Not asyncio.wait_for: cancelling a query to a stalled server can itself stall.
    await asyncio.wait({lookup}, timeout=wait)
    if lookup.done() and lookup.exception() is None:
        return await _decide(gate, lookup.result())
    log.warning("web chat: the database did not say whose session this is in time")
    if not lookup.done():
        lookup.add_done_callback(_ignore_outcome)
    if crisis is None:
        return _words(services, "try_again_soon", 503, TRY_AGAIN_SECONDS)
    # The console hears now, not when the database answers and the crisis is handled.
    dispatcher.alert_crisis(place.channel)
    # The numbers now. A page without a secret is starting a session: it gets one now,
    # and the background step saves the session under that same secret.
    issued = None
    if presented is None:
        issued = _issue(gate, body.session)
    dispatcher.carry_on(_admit_later(gate, lookup, issued))
    return _replies([crisis], 200, body.session if issued else None, issued)


async def _lookup(gate: Gate) -> SessionAccess | None:
    chat_id = gate.place.chat_id(gate.body.session)
    return await gate.services.database.read(session_access, gate.place.channel, chat_id)


async def _decide(
    gate: Gate, access: SessionAccess | None, issued: str | None = None
) -> Admitted | JSONResponse:
    body = gate.body
    if access is None:
        return await _new_session(gate, body.session, issued)
    if access.token_hash is None:
        # From before secrets existed, or ended by "End and clear this chat".
        return await _new_session(gate, secrets.token_urlsafe(18))
    if matches(gate.presented, access.token_hash):
        refused = await _over_message_limit(gate, gate.place.chat_id(body.session))
        return refused or Admitted(body.session, reading=gate.reading)
    retried = _retried_first_token(gate, access)
    if retried is not None:
        return Admitted(body.session, retried, gate.reading)
    if gate.crisis is not None:
        # Someone in crisis whose page lost its secret: a new conversation, so the
        # numbers come with an urgent ticket, not a refusal.
        return await _new_session(gate, secrets.token_urlsafe(18))
    return not_yours(gate.services)


async def _new_session(
    gate: Gate, session: str, issued: str | None = None
) -> Admitted | JSONResponse:
    flood = gate.services.flood
    if flood is not None:
        wait = await flood.new_session_wait(client_address(gate.request))
        if wait is not None:
            return _flooded(gate, "too_many_new_chats", wait)
    refused = await _over_message_limit(gate, gate.place.chat_id(session))
    if refused is not None:
        return refused
    token = issued or _issue(gate, session)
    async with gate.services.database.transaction() as transaction:
        claimed = await transaction.run(
            claim_session,
            gate.place.channel,
            gate.place.chat_id(session),
            hash_token(token),
        )
    if not claimed:  # another first request for this id got there first
        return not_yours(gate.services)
    return Admitted(session, token, gate.reading)


def _issue(gate: Gate, session: str) -> str:
    chat_id = gate.place.chat_id(session)
    key = gate.services.session_key
    return issue_token(key, gate.place.channel, chat_id, gate.body.message_id)


async def _over_message_limit(gate: Gate, chat_id: str) -> JSONResponse | None:
    """None if the message may go on; otherwise the refusal (the numbers, for a crisis)."""
    flood = gate.services.flood
    if flood is None:
        return None
    wait = await flood.message_wait(chat_id)
    return None if wait is None else _flooded(gate, "too_many_messages", wait)


def _flooded(gate: Gate, words: str, wait: int) -> JSONResponse:
    if gate.crisis is not None:
        # Never refused: the numbers, though not saved (see the module's docstring).
        return _replies([gate.crisis], 200)
    return _words(gate.services, words, 429, wait)


def _retried_first_token(gate: Gate, access: SessionAccess) -> str | None:
    """The session's secret, if this is its first request sent again soon after."""
    if gate.body.message_id is None or utcnow() - access.created_at > RETRY_WINDOW:
        return None
    token = _issue(gate, gate.body.session)
    return token if matches(token, access.token_hash) else None


async def _admit_later(
    gate: Gate, lookup: asyncio.Future[SessionAccess | None], issued: str | None
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
        lookup = asyncio.ensure_future(_lookup(gate))
    admitted = await _decide(gate, access, issued)
    if isinstance(admitted, Admitted):
        inbound = to_inbound(admitted, gate.body, gate.place)
        alerted = dataclasses.replace(inbound, crisis_alerted=True)  # at the door, above
        await gate.dispatcher.handle(alerted, gate.reading)


def to_inbound(
    admitted: Admitted,
    body: ChatRequest,
    place: ChatPlace = WEB_CHAT,
    presets: tuple[tuple[str, str], ...] = (),
) -> Inbound:
    """The message as the core reads it (`presets`: see bot/web/embed.py)."""
    return Inbound(
        channel=place.channel,
        chat_id=place.chat_id(admitted.session),
        message_id=body.message_id,
        text=body.text,
        payload=body.payload,
        received_at=utcnow(),
        presets=presets,
    )


def _ignore_outcome(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not report it as lost


def not_yours(services: Services) -> JSONResponse:
    response = _words(services, "chat_not_yours", 401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _words(
    services: Services, key: str, status: int, retry_after: int | None = None
) -> JSONResponse:
    text = services.content.current.system_text(key)
    response = _replies([Reply(text)], status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _replies(
    replies: list[Reply], status: int, session: str | None = None, token: str | None = None
) -> JSONResponse:
    body: dict[str, object] = {"replies": [reply.to_json() for reply in replies]}
    if token is not None:
        body |= {"session": session, "token": token}
    return JSONResponse(body, status_code=status, headers=NO_STORE)
