"""Starting and stopping the Telegram and WhatsApp adapters and their outbox workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from bot.channels.outbox import OutboxWorker, OutgoingMessage
from bot.core.types import Reply

log = logging.getLogger(__name__)


@dataclasses.dataclass(slots=True)
class Channels:
    telegram: Any = None  # TelegramChannel when TELEGRAM_BOT_TOKEN is set
    whatsapp: Any = None  # WhatsAppSender when WHATSAPP_TOKEN is set
    workers: dict[str, OutboxWorker] = dataclasses.field(default_factory=dict)

    def wake(self, channel: str) -> None:
        worker = self.workers.get(channel)
        if worker is not None:
            worker.wake()

    @property
    def names(self) -> frozenset[str]:
        """Channels that can deliver now (web chat always can)."""
        return frozenset({"web", *self.workers})

    async def stop(self) -> None:
        for worker in self.workers.values():
            await worker.stop()
        if self.telegram is not None:
            await self.telegram.stop()
        if self.whatsapp is not None:
            await self.whatsapp.close()


async def start_channels(services: Any) -> Channels:
    settings = services.settings
    channels = Channels()
    if settings.telegram_enabled:
        from bot.channels.telegram import TelegramChannel, TelegramSender

        telegram = TelegramChannel(settings, services, lambda: channels.wake("telegram"))
        await telegram.start()
        channels.telegram = telegram
        channels.workers["telegram"] = OutboxWorker(
            services.database, TelegramSender(telegram.bot, services)
        )
    if settings.whatsapp_enabled:
        from bot.channels.whatsapp import WhatsAppSender

        channels.whatsapp = WhatsAppSender(settings, services)
        channels.workers["whatsapp"] = OutboxWorker(services.database, channels.whatsapp)
        log.info("WhatsApp is on")
    for worker in channels.workers.values():
        worker.start()
    for name, worker in channels.workers.items():
        services.dispatcher.direct_senders[name] = direct_sender(worker.sender)
    return channels


def direct_sender(sender: Any) -> Any:
    """Send one reply now through a channel's sender, skipping the outbox queue: for the
    crisis reply, which must not wait on the database."""

    async def send(chat_id: str, reply: Reply) -> None:
        message = OutgoingMessage(
            id=0,
            parent_id=0,
            chat_id=chat_id,
            text=reply.text,
            buttons=[{"label": b.label, "payload": b.payload} for b in reply.buttons],
            document=None,
            purpose=None,
            attempts=0,
            created_at=dt.datetime.now(dt.UTC),
        )
        await sender.send(message)

    return send
