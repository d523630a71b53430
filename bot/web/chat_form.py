"""The web chat without JavaScript: the page's form posts here, and the replies come
back as a page rendered on the server.

The same door as `POST /api/chat` (bot/web/chat_access.py: crisis first, the session's
secret, flood limits), with the secret carried in a cookie (bot/web/chat_cookie.py)
instead of a header. Words go in the body of a POST, never in a URL. A form from
another site is refused: with a SameSite=Strict cookie it could only start a chat,
but there is no reason to let it.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import hash_token
from bot.plan.intake import MAX_TEXT_CHARS, problem_words, waiting_for_plan
from bot.services import Services
from bot.store import conversations as store
from bot.store.web_sessions import end_session
from bot.web.chat_access import NO_STORE, admit, not_yours, to_inbound
from bot.web.chat_api import ChatRequest, reply_json
from bot.web.chat_cookie import HeldChat, forget_chat, held_chat, hold_chat
from bot.web.plan_upload import read_plan_form
from bot.web.templating import templates

router = APIRouter()

START = "global:start"
MAX_TYPED_CHARS = 4000  # the text box's own limit
# "Check my draft plan" without JavaScript: a multipart form with the file (its own
# larger body cap in bot/web/app.py, as POST /api/chat/upload has).
PLAN_FORM_PATH = "/plan-upload"
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@router.post("/", include_in_schema=False)
async def chat_without_javascript(request: Request) -> Response:
    services: Services = request.app.state.services
    if _from_another_site(request):
        return await _page(request, services, [_notice(services, "chat_not_yours")], status=403)
    form = await request.form()
    held = held_chat(request)
    if "end" in form:
        return await _end(request, services, held)
    payload = _field(form, "payload", 128)
    # Whole (the body is bounded by MAX_REQUEST_BYTES), so too long comes back intact.
    text = None if payload else _field(form, "message", None)
    if (
        text is not None
        and len(text) > MAX_TYPED_CHARS
        and not await _long_text_ok(services, held, text)
    ):
        return await _page(
            request, services, [_notice(services, "too_long")], held, history=True, typed=text
        )
    if text is None and payload is None:
        if held is not None:  # an empty Send: show the conversation as it is
            return await _page(request, services, [], held, history=True)
        payload = START
    message_id = _field(form, "message_id", 64)
    try:
        body = ChatRequest(
            session=held.session if held else secrets.token_urlsafe(18),
            text=text,
            payload=payload,
            message_id=message_id if message_id and _MESSAGE_ID.match(message_id) else None,
        )
    except ValidationError:
        return await _page(
            request, services, [_notice(services, "stale_button")], held, history=True
        )
    admitted = await admit(services, body, request, cookie_token=held.token if held else None)
    if isinstance(admitted, JSONResponse):
        return await _refused(request, services, admitted, held, text)
    replies = await services.dispatcher.handle(to_inbound(admitted, body), admitted.reading)
    now_held = held
    if admitted.new_token is not None:
        now_held = HeldChat(admitted.session, admitted.new_token)
    fresh = [reply_json(reply) for reply in replies]
    issued = admitted.new_token is not None
    return await _page(request, services, fresh, now_held, history=True, issued=issued)


async def _long_text_ok(services: Services, held: HeldChat | None, text: str) -> bool:
    """A pasted plan, while one is awaited, may be longer than a message (to a limit)."""
    if held is None or len(text) > MAX_TEXT_CHARS:
        return False
    return await waiting_for_plan(services, CHANNEL, held.session)


@router.post(PLAN_FORM_PATH, include_in_schema=False)
async def plan_without_javascript(request: Request) -> Response:
    """A draft plan as a file from the page's plan form: read as POST /api/chat/upload
    reads it (bot/web/plan_upload.py), then answered as a typed message is."""
    services: Services = request.app.state.services
    if _from_another_site(request):
        return await _page(request, services, [_notice(services, "chat_not_yours")], status=403)
    held = held_chat(request)
    if held is None:
        return await _refused(request, services, not_yours(services), None, None)
    read = await read_plan_form(request, services, held.token, held.session)
    if read.status == 401:
        return await _refused(request, services, not_yours(services), held, None)
    if read.problem is not None:
        words = {"text": problem_words(services, read.problem), "buttons": []}
        return await _page(request, services, [words], held, history=True, status=read.status)
    message_id = read.message_id
    try:
        body = ChatRequest(
            session=held.session,
            text=read.text,
            message_id=message_id if message_id and _MESSAGE_ID.match(message_id) else None,
        )
    except ValidationError:
        return await _refused(request, services, not_yours(services), held, None)
    admitted = await admit(services, body, request, cookie_token=held.token)
    if isinstance(admitted, JSONResponse):
        return await _refused(request, services, admitted, held, None)
    replies = await services.dispatcher.handle(to_inbound(admitted, body), admitted.reading)
    fresh = [reply_json(reply) for reply in replies]
    return await _page(request, services, fresh, held, history=True)


async def _refused(
    request: Request,
    services: Services,
    answer: JSONResponse,
    held: HeldChat | None,
    typed: str | None,
) -> Response:
    """The door's own answer (not yours, too many, try again, or a crisis's numbers)."""
    data: dict[str, Any] = json.loads(bytes(answer.body))
    replies = list(data.get("replies", []))  # the door's own words: never a document
    if answer.status_code == 401:
        # The cookie's secret no longer opens a chat: forget it; the next Send starts anew.
        response = await _page(request, services, replies, None, status=401)
        forget_chat(request, response)
        return response
    session, token = data.get("session"), data.get("token")
    issued = isinstance(session, str) and isinstance(token, str)
    if issued:  # a crisis while the database stalled: its new session, saved later
        held = HeldChat(str(session), str(token))
    response = await _page(
        request,
        services,
        replies,
        held,
        # Over a flood limit the database is fine; in a stall or a crisis, don't wait on it.
        history=answer.status_code == 429,
        status=answer.status_code,
        typed=typed if answer.status_code in (429, 503) else None,
        issued=issued,
    )
    if "Retry-After" in answer.headers:
        response.headers["Retry-After"] = answer.headers["Retry-After"]
    return response


async def _end(request: Request, services: Services, held: HeldChat | None) -> Response:
    """ "End and clear this chat": the secret stops working and the cookie goes."""
    if held is not None:
        async with services.database.transaction() as transaction:
            await transaction.run(end_session, CHANNEL, hash_token(held.token))
    response = await _page(request, services, [_notice(services, "chat_ended")], None)
    forget_chat(request, response)
    return response


async def _page(
    request: Request,
    services: Services,
    fresh: list[dict[str, Any]],
    held: HeldChat | None = None,
    *,
    history: bool = False,
    status: int = 200,
    typed: str | None = None,
    issued: bool = False,
) -> Response:
    """The whole page: with `history`, the conversation so far (never asked of a
    database that has just been too slow, nor for a chat that is not this page's),
    then this turn's replies."""
    earlier = []
    awaits_plan = False
    if history and held is not None:
        earlier = await earlier_messages(services, held, len(fresh))
        awaits_plan = await waiting_for_plan(services, CHANNEL, held.session)
    # The choices of this turn's replies; with none, those the conversation stopped at.
    choices = [b for reply in fresh for b in reply.get("buttons", [])]
    if not fresh and earlier and earlier[-1].direction == "out":
        choices = list(earlier[-1].buttons)
    context = {
        "earlier": earlier,
        "fresh": fresh,
        "choices": choices,
        "typed": typed or "",
        "message_id": secrets.token_urlsafe(12),  # this form's, so a resend is answered once
        "held": held is not None,
        "awaits_plan": awaits_plan,  # the plan form, and room for a long paste
        "plan_form": PLAN_FORM_PATH,
    }
    response = templates.TemplateResponse(
        request, "chat_form.html", context, status_code=status, headers=NO_STORE
    )
    if held is not None and issued:
        hold_chat(request, response, held.session, held.token)
    return response


async def earlier_messages(services: Services, held: HeldChat, fresh: int) -> list[Any]:
    """Earlier messages of the session (this turn's replies are shown richer, apart)."""
    entries = await services.database.read(store.transcript, CHANNEL, held.session)
    shown = [e for e in entries if e.text or e.direction == "out"]
    trailing = 0
    while trailing < min(fresh, len(shown)) and shown[-1 - trailing].direction == "out":
        trailing += 1
    return shown[: len(shown) - trailing]


def _notice(services: Services, key: str) -> dict[str, Any]:
    return {"text": services.content.current.system_text(key), "buttons": []}


def _field(form: FormData, name: str, limit: int | None) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value[:limit] or None


def _from_another_site(request: Request) -> bool:
    # Browsers say where a form came from; a proxy may rewrite Host, so not Origin.
    return request.headers.get("sec-fetch-site") == "cross-site"
