"""NUL characters in a query string or a form field, refused once, at the edge.

PostgreSQL cannot store NUL in text, and a file path cannot hold it, so it
would otherwise fail deep inside whichever handler met it first (the sign-in
e-mail, before anyone is signed in, among them) with a 500. Here it gets a 400
with a sentence a person can act on, whatever the route.

Numbers are each route's business (pydantic bounds, `bot.core.text.whole_number`);
JSON bodies are the chat API's, which has its own model.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")
NUL_IN_QUERY = "The address has a NUL character (%00) in it. Remove it and try again."
NUL_IN_FORM = (
    "A field in this form has a NUL character (an invisible control character, often "
    "pasted from another program). Remove it and send the form again."
)


class EdgeChecks:
    """Pure ASGI middleware; put it inside BodySizeLimit so a form it reads is bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _query_problem(scope.get("query_string", b""))
        if problem:
            await _refuse(scope, send, problem)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
        if not content_type.startswith(FORM_TYPES):
            await self.app(scope, receive, send)
            return
        body, receive = await _buffered(receive)
        if await _form_has_nul(scope, body):
            await _refuse(scope, send, NUL_IN_FORM)
            return
        await self.app(scope, receive, send)


def _query_problem(query: bytes) -> str:
    # Decoded as Starlette will decode it, so %00 is found however it is spelled.
    if not query:
        return ""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            return NUL_IN_QUERY
    return ""


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a receive that plays it again, then carries on as before."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _form_has_nul(scope: Scope, body: bytes) -> bool:
    sent = False

    async def once() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except Exception:  # a malformed form: the route's own parsing answers that
        return False
    try:
        return any(
            "\x00" in name or (isinstance(value, str) and "\x00" in value)
            for name, value in form.multi_items()
        )
    finally:
        await form.close()


async def _refuse(scope: Scope, send: Send, message: str) -> None:
    accept = dict(scope["headers"]).get(b"accept", b"")
    if b"json" in accept:
        body, kind = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, kind = message.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
