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
from bot.channels.webchat import CHANNEL, to_inbound
from bot.handoff import tickets
from bot.handoff.events import parent_topic
from bot.services import Services
from bot.store import conversations as store
from bot.web.live import CHECK_EVERY_SECONDS, KEEP_ALIVE_SECONDS, event_stream, message_event

router = APIRouter()

SessionId = Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class ChatRequest(BaseModel):
    session: SessionId
    text: str | None = Field(default=None, max_length=100_000)
    payload: str | None = Field(default=None, max_length=128)
    # Optional id chosen by the page, so a retried request is answered once.
    message_id: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")

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
    url: str  # add &session=... to download


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


class HistoryMessage(BaseModel):
    id: int
    direction: str
    sender: str  # "parent", "bot" or "champion"
    text: str
    buttons: list[ButtonOut]


class HistoryResponse(BaseModel):
    messages: list[HistoryMessage]


def _services(request: Request) -> Services:
    return request.app.state.services


@router.post("/api/chat", response_model_exclude_none=True)
async def chat(body: ChatRequest, request: Request) -> ChatResponse:
    inbound = to_inbound(body.session, body.text, body.payload, body.message_id)
    replies = await _services(request).dispatcher.handle(inbound)
    out = []
    for reply in replies:
        data = reply.to_json()
        if reply.document is not None:
            key = quote(reply.document.key, safe="")
            data["document"] = {
                "filename": reply.document.filename,
                "url": f"/api/chat/document?key={key}",
            }
        out.append(data)
    return ChatResponse.model_validate({"replies": out})


@router.get("/api/chat/document")
async def document(
    request: Request,
    session: Annotated[SessionId, Query()],
    key: Annotated[str, Query(max_length=80)],
) -> Response:
    """A letter as a Word file (from this parent's saved answers), or a booking's .ics."""
    services = _services(request)
    parent_id = await services.database.read(store.parent_id_of, CHANNEL, session)
    built = None
    if parent_id is not None:
        now = dt.datetime.now(dt.UTC)
        content = services.content.current
        built = await services.database.read(build_document, content, key, parent_id, now)
    if built is None:
        return JSONResponse({"detail": "No such document, or not yet written."}, status_code=404)
    return Response(
        built.body,
        media_type=built.media_type,
        headers={"Content-Disposition": f'attachment; filename="{built.filename}"'},
    )


@router.get("/api/chat/history")
async def history(request: Request, session: Annotated[SessionId, Query()]) -> HistoryResponse:
    """The conversation so far, so a reloaded page loses nothing."""
    entries = await _services(request).database.read(store.transcript, CHANNEL, session)
    return HistoryResponse.model_validate(
        {
            "messages": [
                {
                    "id": e.id,
                    "direction": e.direction,
                    "sender": _sender(e.direction, e.from_champion),
                    "text": e.text or "",
                    "buttons": e.buttons,
                }
                for e in entries
                # Opening the page sends a start signal, not words: nothing to show.
                if e.text or e.direction == "out"
            ]
        }
    )


def _sender(direction: str, from_champion: bool) -> str:
    if direction == "in":
        return "parent"
    return "champion" if from_champion else "bot"


@router.get("/api/chat/stream")
async def stream(
    request: Request,
    session: Annotated[SessionId, Query()],
    after: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Messages a Parent Champion sends (and hand-off notices), live, as server-sent events.

    The bot's own replies come back from POST /api/chat; this carries only what
    arrives without the parent asking. A reconnecting browser sends Last-Event-ID,
    so nothing is missed or shown twice.
    """
    services = _services(request)
    last_seen = request.headers.get("last-event-id", "")
    cursor = int(last_seen) if last_seen.isdigit() else after

    async def body() -> AsyncIterator[str]:
        nonlocal cursor
        yield "retry: 2000\n\n"
        with services.events.subscribe(parent_topic(CHANNEL, session)) as subscription:
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
                        },
                    )
                if not await subscription.wait(CHECK_EVERY_SECONDS):
                    quiet += CHECK_EVERY_SECONDS
                    if quiet >= KEEP_ALIVE_SECONDS:
                        quiet = 0.0
                        yield ": still here\n\n"

    return event_stream(body())
