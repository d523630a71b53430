"""Telegram: python-telegram-bot as a thin client over the Bot API.

Inbound updates (long polling, or the webhook route in bot/web/webhooks.py)
become `Inbound`s for the dispatcher; replies are stored in the outbox and sent
by `TelegramSender`. Nothing here knows about EHC plans: a document sent while
"Check my draft plan" waits is handed, as bytes, to bot/plan/intake.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import os
from typing import Any

# Opt in to python-telegram-bot's coming behaviour (RetryAfter.retry_after as a
# timedelta); we accept both, and it silences a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")

import telegram
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.documents import document_for
from bot.channels.outbox import CannotDeliver, OutgoingMessage, RetryLater
from bot.channels.rendering import split_text, telegram_html
from bot.core.types import Inbound

log = logging.getLogger(__name__)
CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_LIMIT = 64  # bytes of callback data Telegram accepts
MEDIA_KINDS = (
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "location",
    "document",
    "contact",
    "animation",
)
COMMANDS = ("start", "menu", "help", "human", "stop", "mydata", "delete")


def make_bot(token: str, api_base: str) -> telegram.Bot:
    # TELEGRAM_API_BASE is the server; python-telegram-bot adds the token after "/bot".
    return telegram.Bot(token, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot")


def to_inbound(update: Update) -> Inbound | None:
    """One update as an Inbound; None for kinds we don't answer (edits, channel posts)."""
    message_id = f"u{update.update_id}"
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        return Inbound(CHANNEL, str(chat), message_id, payload=query.data or "")
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    if message.text is not None:
        return Inbound(CHANNEL, str(message.chat.id), message_id, text=message.text)
    kind = next((k for k in MEDIA_KINDS if getattr(message, k, None)), "attachment")
    return Inbound(CHANNEL, str(message.chat.id), message_id, media_kind=kind)


def wait_seconds(wait: RetryAfter) -> float:
    """How long Telegram asked us to wait (an int or a timedelta, by library version)."""
    seconds = wait.retry_after
    return seconds.total_seconds() if isinstance(seconds, dt.timedelta) else float(seconds)


def keyboard(buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b["label"], callback_data=b["payload"])]
        for b in buttons
        if len(b["payload"].encode()) <= CALLBACK_LIMIT
    ]
    if len(rows) < len(buttons):
        log.error("a button's payload is over Telegram's 64 bytes and was left out")
    return InlineKeyboardMarkup(rows) if rows else None


class TelegramSender:
    """Sends one stored message: text in pieces, buttons on the last, then any document."""

    channel = CHANNEL
    messages_per_second = 30.0

    def __init__(self, bot: telegram.Bot, services: Any) -> None:
        self._bot = bot
        self._services = services

    async def send(self, message: OutgoingMessage) -> None:
        try:
            pieces = split_text(message.text, TEXT_LIMIT - 200)  # room for HTML tags
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                await self._bot.send_message(
                    message.chat_id,
                    telegram_html(piece),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(message.buttons) if last else None,
                )
            if message.document:
                await self._send_document(message)
        except RetryAfter as wait:
            raise RetryLater(wait_seconds(wait)) from None
        except (Forbidden, BadRequest) as refused:
            raise CannotDeliver(type(refused).__name__) from None

    async def _send_document(self, message: OutgoingMessage) -> None:
        assert message.document is not None
        built = await document_for(self._services, message.parent_id, message.document)
        if built is None:
            return
        await self._bot.send_document(
            message.chat_id, InputFile(built.body, filename=built.filename)
        )


class TelegramChannel:
    """Receives updates and hands them to the dispatcher; keeps the staff chat informed."""

    def __init__(self, settings: Any, services: Any, wake_outbox: Any) -> None:
        self._settings = settings
        self._services = services
        self._wake_outbox = wake_outbox
        self.bot = make_bot(settings.telegram_bot_token, settings.telegram_api_base)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    async def start(self) -> None:
        await self.bot.initialize()  # getMe: fails fast on a wrong token
        descriptions = self._command_descriptions()
        await self.bot.set_my_commands([BotCommand(c, descriptions[c]) for c in COMMANDS])
        if self._settings.telegram_webhook_url:
            await self.bot.set_webhook(
                f"{self._settings.telegram_webhook_url}",
                secret_token=self._settings.telegram_webhook_secret,
                allowed_updates=["message", "callback_query"],
            )
        else:
            await self.bot.delete_webhook()
            self._tasks.append(asyncio.create_task(self._poll(), name="telegram-polling"))
        if self._settings.telegram_staff_chat_id:
            from bot.channels.staff_notices import alert_staff_forever, notify_staff_forever

            staff_chat = self._settings.telegram_staff_chat_id
            for name, job in (
                ("telegram-staff", notify_staff_forever),
                ("telegram-staff-alerts", alert_staff_forever),
            ):
                self._tasks.append(
                    asyncio.create_task(job(self.bot, staff_chat, self._services), name=name)
                )
        log.info(
            "Telegram is on (%s)",
            "webhook" if self._settings.telegram_webhook_url else "long polling",
        )

    def _command_descriptions(self) -> dict[str, str]:
        system = self._services.content.current.flows.get("system")
        words = (system.data if system else {}).get("telegram_commands") or {}
        return {c: str(words.get(c) or c.capitalize()) for c in COMMANDS}

    async def stop(self) -> None:
        # A flag as well as cancel(): a cancelled HTTP call can come back as a
        # NetworkError from the client library, which the polling loop would retry.
        self._stopping = True
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(TelegramError, RuntimeError):
            await self.bot.shutdown()

    async def handle_update(self, update: Update) -> None:
        inbound = to_inbound(update)
        if update.callback_query is not None:
            # Stop the button's spinner at once, whatever the answer will be.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        if inbound is None:
            return
        if update.message is not None and update.message.document is not None:
            # A draft EHC plan sent while "Check my draft plan" waits for one.
            inbound = await self._plan_document(update.message, inbound)
            if inbound is None:
                return
        await self._services.dispatcher.handle(inbound)
        self._wake_outbox()

    async def _plan_document(self, message: Message, inbound: Inbound) -> Inbound | None:
        """The plan's text as the parent's message; None once a refusal was sent; the
        inbound unchanged (a document we don't read) when no plan is awaited."""
        from bot.plan.intake import (
            FileNotFetched,
            FileTooLarge,
            problem_words,
            read_sent_file,
            waiting_for_plan,
        )

        if not await waiting_for_plan(self._services, CHANNEL, inbound.chat_id):
            return inbound
        document = message.document
        assert document is not None

        async def fetch(limit: int) -> bytes:
            try:
                file = await self.bot.get_file(document.file_id)
                data = bytes(await file.download_as_bytearray())
            except TelegramError as exc:
                log.warning("a Telegram document could not be fetched (%s)", type(exc).__name__)
                raise FileNotFetched from None
            if len(data) > limit:
                raise FileTooLarge
            return data

        text, problem = await read_sent_file(
            document.file_name or "", fetch, document.file_size or None
        )
        if text is None:
            words = problem_words(self._services, problem or "unreadable")
            with contextlib.suppress(TelegramError):
                await self.bot.send_message(int(inbound.chat_id), words)
            return None
        return dataclasses.replace(inbound, text=text, media_kind=None)

    async def handle_webhook_body(self, data: dict[str, Any]) -> None:
        """One update from the webhook. A body with the right secret but the wrong shape
        is logged (its error type only) and dropped, so Telegram does not resend it."""
        try:
            update = Update.de_json(data, self.bot)
            if update is not None:
                to_inbound(update)  # reads every field we use: a bad shape fails here
        except Exception as exc:  # the library raises whatever the shape provokes
            log.warning("a Telegram update with an unexpected shape (%s)", type(exc).__name__)
            return
        if update is not None:
            await self.handle_update(update)

    async def _poll(self) -> None:
        offset: int | None = None
        failures = 0
        while not self._stopping:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=self._settings.telegram_poll_timeout,
                    allowed_updates=["message", "callback_query"],
                )
                failures = 0
            except asyncio.CancelledError:
                raise
            except RetryAfter as wait:
                await asyncio.sleep(wait_seconds(wait))
                continue
            except Exception as exc:
                if self._stopping:
                    return
                failures += 1
                log.warning("Telegram polling failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(min(2**failures, 60))
                continue
            for update in updates:
                offset = update.update_id + 1
                try:
                    await self.handle_update(update)
                except Exception:
                    log.exception("a Telegram update could not be handled")
