"""Webhook routes for Telegram and WhatsApp. Each checks who is calling before reading."""

from __future__ import annotations

import json
import logging
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.channels.whatsapp import CHANNEL as WHATSAPP
from bot.channels.whatsapp import (
    inbound_messages,
    message_objects,
    numbered_choice,
    signature_is_valid,
)
from bot.channels.whatsapp_media import documents_in, plan_document
from bot.store import conversations as store

log = logging.getLogger(__name__)
router = APIRouter()


def _refuse(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


@router.post("/telegram/webhook")
async def telegram_webhook(request: Request) -> Response:
    services = request.app.state.services
    settings = services.settings
    telegram = request.app.state.channels.telegram
    if telegram is None or not settings.telegram_webhook_url:
        return _refuse(404, "Telegram webhooks are not switched on here.")
    sent = request.headers.get("x-telegram-bot-api-secret-token", "")
    if not secrets.compare_digest(sent.encode(), settings.telegram_webhook_secret.encode()):
        return _refuse(403, "Wrong or missing secret token.")
    try:
        data = json.loads(await request.body())
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return _refuse(400, "The body is not JSON.")
    if not isinstance(data, dict) or "update_id" not in data:
        return _refuse(400, "The body is not a Telegram update.")
    await telegram.handle_webhook_body(data)
    return JSONResponse({"ok": True})


@router.get("/whatsapp/webhook")
async def whatsapp_verify(request: Request) -> Response:
    """Meta's subscription handshake: echo hub.challenge if the verify token matches."""
    settings = request.app.state.services.settings
    query = request.query_params
    token = query.get("hub.verify_token", "")
    if (
        settings.whatsapp_enabled
        and query.get("hub.mode") == "subscribe"
        and secrets.compare_digest(token.encode(), settings.whatsapp_verify_token.encode())
    ):
        return PlainTextResponse(query.get("hub.challenge", ""))
    return _refuse(403, "Verification failed.")


@router.post("/whatsapp/webhook")
async def whatsapp_webhook(request: Request) -> Response:
    services = request.app.state.services
    settings = services.settings
    if not settings.whatsapp_enabled:
        return _refuse(404, "WhatsApp is not switched on here.")
    raw = await request.body()
    if not signature_is_valid(
        settings.whatsapp_app_secret, raw, request.headers.get("x-hub-signature-256")
    ):
        return _refuse(403, "The signature does not match.")
    try:
        data = json.loads(raw)
        found = inbound_messages(data)
        documents = documents_in(message_objects(data))
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return _refuse(400, "The body is not a WhatsApp webhook JSON object.")
    for inbound in found:
        try:
            document = documents.get(inbound.message_id or "")
            if document is not None:
                # A draft EHC plan sent while "Check my draft plan" waits for one.
                read = await plan_document(
                    services, request.app.state.channels.whatsapp, inbound, document
                )
                if read is None:
                    continue
                inbound = read
            if inbound.text is not None:
                buttons = await services.database.read(
                    store.latest_buttons, WHATSAPP, inbound.chat_id
                )
                payload = numbered_choice(buttons, inbound.text)
                if payload is not None:
                    inbound = type(inbound)(
                        inbound.channel, inbound.chat_id, inbound.message_id, payload=payload
                    )
            await services.dispatcher.handle(inbound)
        except Exception:
            # One bad message must not make Meta resend the whole batch for ever.
            log.exception("a WhatsApp message could not be handled")
    request.app.state.channels.wake(WHATSAPP)
    return JSONResponse({"ok": True})
