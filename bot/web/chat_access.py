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
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import RETRY_WINDOW, bearer_token, issue_token, matches
from bot.core.types import Reply
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
class Admitted:
    session: str  # the session id the message is handled under
    new_token: str | None = None  # a secret issued with this reply
    announce: str | None = None  # the session id to tell the page (with new_token)


async def admit(services: Services, body: ChatRequest, request: Request) -> Admitted | JSONResponse:
    """Admitted, or the response that refuses the request (401, 429 or 503)."""
    crisis = services.dispatcher.crisis_reply(body.text) if body.text is not None else None
    wait = CRISIS_ACCESS_WAIT_SECONDS if crisis is not None else ACCESS_WAIT_SECONDS
    try:
        access = await asyncio.wait_for(
            services.database.read(session_access, CHANNEL, body.session), wait
        )
    except Exception as exc:  # a stalled or broken database: answer now, kindly
        log.warning("web chat: session lookup failed (%s)", type(exc).__name__)
        if crisis is not None:
            # Not saved (we cannot tell whose session this is), but never withheld.
            return _replies([crisis], 200)
        return _words(services, "try_again_soon", 503, TRY_AGAIN_SECONDS)
    token = bearer_token(request.headers.get("authorization"))
    if access is None:
        return await _new_session(services, request, body, body.session, crisis)
    if access.token_hash is None:
        # From before secrets existed, or ended by "End and clear this chat".
        fresh_id = secrets.token_urlsafe(18)
        return await _new_session(services, request, body, fresh_id, crisis)
    if matches(token, access.token_hash):
        return await _within_message_limit(services, body.session, crisis) or Admitted(body.session)
    retried = _retried_first_token(services, body, access)
    if retried is not None:
        return Admitted(body.session, retried, body.session)
    return not_yours(services)


def not_yours(services: Services) -> JSONResponse:
    response = _words(services, "chat_not_yours", 401)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _new_session(
    services: Services,
    request: Request,
    body: ChatRequest,
    session: str,
    crisis: Reply | None,
) -> Admitted | JSONResponse:
    if services.flood is not None and crisis is None:
        wait = await services.flood.new_session_wait(client_address(request))
        if wait is not None:
            return _words(services, "too_many_new_chats", 429, wait)
    refused = await _within_message_limit(services, session, crisis)
    if refused is not None:
        return refused
    token = issue_token(services.session_key, CHANNEL, session, body.message_id)
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
    services: Services, body: ChatRequest, access: SessionAccess
) -> str | None:
    """The session's secret, if this is its first request sent again soon after."""
    if body.message_id is None or utcnow() - access.created_at > RETRY_WINDOW:
        return None
    token = issue_token(services.session_key, CHANNEL, body.session, body.message_id)
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
