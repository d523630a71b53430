"""The web chat channel: `POST /api/chat` and the transcript for page reloads.

Request and response shapes are a stable interface (see DESIGN.md):
`{"session", "text"}` or `{"session", "payload"}` in, `{"replies": [...]}` out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, model_validator

from bot.channels.documents import build_document
from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import bearer_token, hash_token
from bot.core.text import whole_number
from bot.core.types import Reply
from bot.handoff import tickets
from bot.handoff.events import parent_topic
from bot.handoff.typing import to_parent_topic, typing_event
from bot.notify import push_store
from bot.notify.contacts import page_received
from bot.services import Services
from bot.store import conversations as store
from bot.store.web_sessions import SessionHolder, end_session, session_of_token
from bot.web.chat_access import NO_STORE, Admitted, admit, not_yours, to_inbound
from bot.web.chat_cookie import held_chat
from bot.web.embed_council import council_presets
from bot.web.live import CHECK_EVERY_SECONDS, KEEP_ALIVE_SECONDS, event_stream, message_event

router = APIRouter()

# Message ids fit a signed 64-bit integer (SQLite's and PostgreSQL's BIGINT).
MAX_MESSAGE_ID = 2**63 - 1
SessionId = Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class ChatRequest(BaseModel):
    session: SessionId
    text: str | None = Field(default=None, max_length=100_000)
    payload: str | None = Field(default=None, max_length=128)
    # Optional id chosen by the page, so a retried request is answered once.
    message_id: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    # The embedded chat's council (bot/web/embed.py), saved if this message starts
    # the conversation; a name we don't know is ignored.
    council: str | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def _text_or_payload(self) -> ChatRequest:
        if (self.text is None) == (self.payload is None):
            raise ValueError("send exactly one of 'text' or 'payload'")
        return self


class ButtonOut(BaseModel):
    label: str
    payload: str


class DocumentOut(BaseModel):
    filename: str
    url: str  # fetched with the session's Authorization header


class SourceOut(BaseModel):
    title: str
    url: str
    section: str | None = None


class ReplyOut(BaseModel):
    text: str
    buttons: list[ButtonOut]
    document: DocumentOut | None = None
    kind: str | None = None  # "crisis": the page scrolls to it and makes numbers tappable
    sources: list[SourceOut] | None = None  # folded under "Sources" on the page


class ChatResponse(BaseModel):
    replies: list[ReplyOut]
    # Only on the first reply of a new session: its id and the secret to send back as
    # `Authorization: Bearer <token>` with every later request.
    session: str | None = None
    token: str | None = None
    # "plan" while "Check my draft plan" waits for one: the page offers a file picker
    # (POST /api/chat/upload) and takes a long paste.
    awaits: str | None = None


class HistoryMessage(BaseModel):
    id: int
    direction: str
    sender: str  # "parent", "bot" or "champion"
    text: str
    buttons: list[ButtonOut]
    author: str | None = None  # a champion's first name
    document: DocumentOut | None = None  # a letter, .ics or "my data", offered again


class HistoryResponse(BaseModel):
    messages: list[HistoryMessage]
    awaits: str | None = None  # as ChatResponse's, for a reloaded page


def _services(request: Request) -> Services:
    return request.app.state.services


@router.post("/api/chat", response_model_exclude_none=True)
async def chat(body: ChatRequest, request: Request) -> Response:
    services = _services(request)
    admitted = await admit(services, body, request)
    if isinstance(admitted, JSONResponse):
        return admitted
    return await answer_admitted(services, body, admitted, council_presets(services, body.council))


async def answer_admitted(
    services: Services,
    body: ChatRequest,
    admitted: Admitted,
    presets: tuple[tuple[str, str], ...] = (),
) -> Response:
    """Handle an admitted message and answer in the replies shape (also the upload's)."""
    inbound = to_inbound(admitted, body, presets=presets)
    handled = await services.dispatcher.handle_placed(inbound, admitted.reading)
    if handled.saved and inbound.channel == CHANNEL:
        # The step just saved where the conversation waits: no need to read it back.
        awaits = awaited_at(handled.position)
    else:  # not saved (yet): whatever the database holds
        awaits = await awaited(services, inbound.chat_id)
    return chat_response([reply_json(reply) for reply in handled.replies], admitted, awaits)


async def awaited(services: Services, chat_id: str) -> str | None:
    """What the conversation waits for that the page shows a control for."""
    from bot.plan.intake import waiting_for_plan

    return "plan" if await waiting_for_plan(services, CHANNEL, chat_id) else None


def awaited_at(position: tuple[str, str] | None) -> str | None:
    """As `awaited`, for a conversation known to wait at `position` (flow, node)."""
    from bot.plan.intake import waits_for_plan

    return "plan" if waits_for_plan(position) else None


def reply_json(reply: Reply) -> dict[str, object]:
    """A reply as a page gets it; a document as a link the page fetches with its
    secret, never opened as a plain link."""
    data = reply.to_json()
    if reply.document is not None:
        data["document"] = {
            "filename": reply.document.filename,
            "url": document_link(reply.document.key),
        }
    return data


def document_link(key: str) -> str:
    """Where a document is fetched (the key names the document, not the family)."""
    return f"/api/chat/document?key={quote(key, safe='')}"


def chat_response(
    replies: list[dict[str, object]], admitted: Admitted, awaits: str | None = None
) -> JSONResponse:
    """The replies, with the session and its secret when one was issued just now."""
    issued = {"session": admitted.session, "token": admitted.new_token}
    response = ChatResponse.model_validate(
        {"replies": replies, "awaits": awaits, **(issued if admitted.new_token else {})}
    )
    return JSONResponse(response.model_dump(exclude_none=True), headers=NO_STORE)


@router.post("/api/chat/end")
async def end_chat(request: Request) -> Response:
    """ "End and clear this chat": the secret stops working, so nobody using this
    browser later can read or continue the conversation."""
    services = _services(request)
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return not_yours(services)
    async with services.database.transaction() as transaction:
        holder = await transaction.run(session_of_token, CHANNEL, hash_token(token))
        ended = await transaction.run(end_session, CHANNEL, hash_token(token))
        if ended and holder is not None:  # nobody here can read a reply now: no pushes
            await transaction.run(push_store.stop, holder.parent_id)
    if not ended:
        return not_yours(services)
    return JSONResponse({"ended": True}, headers=NO_STORE)


async def _session_of(request: Request, cookie_too: bool = False) -> SessionHolder | None:
    """The session whose secret this request carries (GET routes: no id in the URL).
    With `cookie_too`, the no-JavaScript page's cookie when no header came."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None and cookie_too:
        held = held_chat(request)
        token = held.token if held is not None else None
    if token is None:
        return None
    return await _services(request).database.read(session_of_token, CHANNEL, hash_token(token))


def _not_yours(request: Request) -> JSONResponse:
    return not_yours(_services(request))


@router.get("/api/chat/document")
async def document(request: Request, key: Annotated[str, Query(max_length=80)]) -> Response:
    """A letter as a Word file (from this parent's saved answers), or a booking's .ics."""
    services = _services(request)
    holder = await _session_of(request, cookie_too=True)  # the form page's links too
    if holder is None:
        return _not_yours(request)
    now = dt.datetime.now(dt.UTC)
    content = services.content.current
    built = await services.database.read(build_document, content, key, holder.parent_id, now)
    if built is None:
        return JSONResponse(
            {"detail": "No such document, or not yet written."}, status_code=404, headers=NO_STORE
        )
    return Response(
        built.body,
        media_type=built.media_type,
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="{built.filename}"',
        },
    )


@router.get("/api/chat/history")
async def history(request: Request) -> Response:
    """The conversation so far, so a reloaded page loses nothing."""
    holder = await _session_of(request)
    if holder is None:
        return _not_yours(request)
    entries = await _services(request).database.read(store.transcript, CHANNEL, holder.session)
    if entries:  # a reopened page shows everything: nothing left to e-mail about
        await _page_received(_services(request), holder.parent_id, max(e.id for e in entries))
    names = await _services(request).database.read(tickets.champion_names, CHANNEL, holder.session)
    found = HistoryResponse.model_validate(
        {
            "messages": [
                {
                    "id": e.id,
                    "direction": e.direction,
                    "sender": _sender(e.direction, e.from_champion),
                    "text": e.text or "",
                    "buttons": e.buttons,
                    "author": names.get(e.id) if e.from_champion else None,
                    "document": _document_out(e.document),
                }
                for e in entries
                # Opening the page sends a start signal, not words: nothing to show.
                if e.text or e.direction == "out"
            ],
            "awaits": await awaited(_services(request), holder.session),
        }
    )
    return JSONResponse(found.model_dump(), headers=NO_STORE)


async def _page_received(services: Services, parent_id: int, message_id: int) -> None:
    async with services.database.transaction() as transaction:
        await transaction.run(page_received, parent_id, message_id)
        await transaction.run(push_store.page_received, parent_id, message_id)


async def _champion_name(services: Services, holder: SessionHolder) -> str | None:
    ticket = await services.database.read(tickets.open_ticket_of, holder.parent_id)
    return ticket.champion if ticket is not None else None


def _document_out(document: dict[str, str] | None) -> dict[str, str] | None:
    """A stored message's file as the page links it: by its key, fetched with the secret."""
    if not document or not document.get("key"):
        return None
    return {"filename": document.get("filename", ""), "url": document_link(document["key"])}


def _last_event_id(header: str) -> int:
    return whole_number(header.strip(), MAX_MESSAGE_ID) or 0


def _sender(direction: str, from_champion: bool) -> str:
    if direction == "in":
        return "parent"
    return "champion" if from_champion else "bot"


@router.get("/api/chat/stream")
async def stream(
    request: Request,
    after: Annotated[int, Query(ge=0, le=MAX_MESSAGE_ID)] = 0,
) -> Response:
    """Messages a Parent Champion sends (and hand-off notices), live, as server-sent events.

    The bot's own replies come back from POST /api/chat; this carries only what
    arrives without the parent asking. A reconnecting browser sends Last-Event-ID,
    so nothing is missed or shown twice.
    """
    services = _services(request)
    holder = await _session_of(request)
    if holder is None:
        return _not_yours(request)
    session = holder.session
    cursor = _last_event_id(request.headers.get("last-event-id", "")) or after

    async def body() -> AsyncIterator[str]:
        nonlocal cursor
        yield "retry: 2000\n\n"
        typing = to_parent_topic(CHANNEL, session)  # the champion is typing
        with services.events.subscribe(parent_topic(CHANNEL, session), typing) as subscription:
            quiet = 0.0
            while not await request.is_disconnected():
                pushed = await services.database.read(
                    tickets.pushed_messages, CHANNEL, session, cursor
                )
                for message in pushed:
                    cursor = message.id
                    yield message_event(
                        message.id,
                        {
                            "text": message.text,
                            "buttons": message.buttons,
                            "sender": "champion" if message.from_champion else "bot",
                            "author": message.author,
                        },
                    )
                if pushed:
                    # The open page has them: no "a Parent Champion replied" e-mail for these.
                    await _page_received(services, holder.parent_id, cursor)
                woke = await subscription.wait(CHECK_EVERY_SECONDS)
                if woke and typing in subscription.heard():
                    yield typing_event({"name": await _champion_name(services, holder)})
                if not woke:
                    quiet += CHECK_EVERY_SECONDS
                    if quiet >= KEEP_ALIVE_SECONDS:
                        quiet = 0.0
                        if await _session_of(request) != holder:
                            return  # the chat was ended or erased: nothing more for this page
                        yield ": still here\n\n"

    return event_stream(body())
