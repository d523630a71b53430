"""The unsubscribe link in "a Parent Champion has replied" e-mails (bot/notify/).

It works without the chat session (the e-mail may be opened on another device). The
link's token grants nothing but stopping these e-mails: an HMAC of the contact's id
and the row's stamp (when it was made, the address) with the service's key, so it dies
with the contact and never fits a later contact that got the same id. GET only shows a button; the
POST stops, so a mail scanner that follows links unsubscribes no one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from bot.notify.contacts import contact_stamp, stop_contact
from bot.notify.outbox import token_matches
from bot.web.templating import templates

router = APIRouter()
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
Token = Annotated[str, Query(max_length=128)]
MAX_ID = 2**62


def _page(request: Request, state: str, status: int = 200, **more: object) -> Response:
    return templates.TemplateResponse(
        request, "unsubscribe.html", {"state": state, **more}, status_code=status, headers=HEADERS
    )


def _valid(connection: Connection, key: bytes, contact: int, token: str) -> bool:
    """The token fits this very contact row (it exists, and is the one the link was for)."""
    if not 0 < contact < MAX_ID:
        return False
    return token_matches(key, contact, contact_stamp(connection, contact), token)


def _stop_if_valid(connection: Connection, key: bytes, contact: int, token: str) -> bool:
    return _valid(connection, key, contact, token) and stop_contact(connection, contact)


@router.get("/email/unsubscribe", include_in_schema=False)
async def ask(request: Request, contact: int = 0, token: Token = "") -> Response:
    services = request.app.state.services
    if not await services.database.read(_valid, services.session_key, contact, token):
        return _page(request, "gone", status=404)
    return _page(request, "ask", contact=contact, token=token)


@router.post("/email/unsubscribe", include_in_schema=False)
async def unsubscribe(
    request: Request,
    contact: Annotated[int, Form()] = 0,
    token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    services = request.app.state.services
    async with services.database.transaction() as transaction:
        stopped = await transaction.run(_stop_if_valid, services.session_key, contact, token)
    return _page(request, "done" if stopped else "gone", status=200 if stopped else 404)
