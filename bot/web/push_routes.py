"""Web Push for the chat page (issue #17): the service worker and the subscription API.

- `GET /push-worker.js`: the service worker (static/push-worker.js), served from the
  chat's own origin at the root so its scope is the whole chat.
- `GET /api/chat/push`: whether to offer "Tell me when a Parent Champion replies"
  (keys set, privacy notice agreed, a hand-off open, a reminder to come, or
  notifications already on),
  and the VAPID public key the page subscribes with.
- `POST /api/chat/push`: the browser's subscription (PushSubscription.toJSON()),
  checked strictly; `DELETE /api/chat/push`: "Stop notifications".

All three API routes take the chat's secret in the Authorization header exactly as
`POST /api/chat` does, and answer 401 in the same shape without it. Endpoints are
never logged.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.exc import IntegrityError

from bot.booking import reminders
from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import bearer_token, hash_token
from bot.handoff.tickets import open_ticket_of
from bot.notify import push_store
from bot.notify.push_store import BadSubscription, parse_subscription
from bot.services import Services
from bot.store.conversations import consenting_parents
from bot.store.web_sessions import SessionHolder, session_of_token
from bot.web.chat_access import NO_STORE, not_yours

router = APIRouter()
WORKER = Path(__file__).parent / "static" / "push-worker.js"
# A subscription is a few hundred bytes; anything much bigger is not one.
MAX_BODY_BYTES = 4096

NOT_OFFERED = (
    "Notifications in this browser aren't available here. "
    "A Parent Champion will reply in this chat."
)
NO_CONSENT = "Please agree to the privacy notice in the chat first, then try again."


def _services(request: Request) -> Services:
    return request.app.state.services


def _answer(body: dict[str, object], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def _refuse(detail: str, status: int) -> JSONResponse:
    return _answer({"detail": detail}, status)


async def _holder(request: Request) -> SessionHolder | None:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return None
    return await _services(request).database.read(session_of_token, CHANNEL, hash_token(token))


def _key(services: Services) -> str | None:
    return services.settings.vapid_public_key.rstrip("=") or None


@router.get("/push-worker.js", include_in_schema=False)
async def worker() -> Response:
    # Revalidated on every update check, so a fixed worker reaches browsers at once.
    return FileResponse(
        WORKER,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/api/chat/push")
async def push_status(request: Request) -> Response:
    services = _services(request)
    holder = await _holder(request)
    if holder is None:
        return not_yours(services)
    key = _key(services)
    parent_id = holder.parent_id
    on = await services.database.read(push_store.is_on, parent_id)
    agreed = parent_id in await services.database.read(consenting_parents, [parent_id])
    handoff = await services.database.read(open_ticket_of, parent_id) is not None
    # A reminder still to come is worth telling a parent who closes the tab (issue #17).
    reminder = not handoff and await services.database.read(reminders.has_pending, parent_id)
    return _answer(
        {
            "available": key is not None,
            "key": key,
            "offer": key is not None and agreed and (handoff or reminder or on),
            "on": on,
            # What the page's button promises: a champion's replies, or a reminder.
            "about": "replies" if handoff else "reminders" if reminder else None,
        }
    )


async def _json_body(request: Request) -> object | JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _refuse(f"That is too big for a subscription (over {MAX_BODY_BYTES} bytes).", 413)
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _refuse("Send the subscription as JSON.", 400)


@router.post("/api/chat/push")
async def push_subscribe(request: Request) -> Response:
    services = _services(request)
    holder = await _holder(request)
    if holder is None:
        return not_yours(services)
    if _key(services) is None:
        return _refuse(NOT_OFFERED, 404)
    data = await _json_body(request)
    if isinstance(data, JSONResponse):
        return data
    try:
        subscription = parse_subscription(data, services.settings.push_allow_local_endpoints)
    except BadSubscription as exc:
        return _refuse(f"That subscription can't be used: {exc}.", 400)
    parent_id = holder.parent_id
    for attempt in range(2):
        try:
            async with services.database.transaction() as transaction:
                if parent_id not in await transaction.run(consenting_parents, [parent_id]):
                    return _refuse(NO_CONSENT, 403)
                await transaction.run(push_store.subscribe, parent_id, subscription)
            break
        except IntegrityError:
            # The same browser's subscription arrived twice at once and the other
            # request stored it first: once more, and this time it is an update.
            if attempt:
                raise
    return _answer({"on": True})


@router.delete("/api/chat/push")
async def push_stop(request: Request) -> Response:
    """ "Stop notifications": this browser's subscription (`{"endpoint": ...}`), or
    every one the parent has when the page sends none."""
    services = _services(request)
    holder = await _holder(request)
    if holder is None:
        return not_yours(services)
    data = await _json_body(request)
    if isinstance(data, JSONResponse):
        return data
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if endpoint is not None and (not isinstance(endpoint, str) or len(endpoint) > 2048):
        return _refuse("endpoint must be the subscription's web address.", 400)
    async with services.database.transaction() as transaction:
        await transaction.run(push_store.stop, holder.parent_id, endpoint)
        on = await transaction.run(push_store.is_on, holder.parent_id)
    return _answer({"on": on})
