"""What the push sweep and the chat page need from the running service, or None
when Web Push is off (no VAPID keys set)."""

from __future__ import annotations

import logging
from typing import Any

from bot.notify.outbox import NOTIFY_FLOW
from bot.notify.push_keys import load
from bot.notify.push_send import NEUTRAL_MESSAGE, REMINDER_MESSAGE, PushSetup, send_due

log = logging.getLogger(__name__)
SWEEP_SECONDS = 5


def push_setup(services: Any) -> PushSetup | None:
    settings = services.settings
    if not settings.vapid_private_key:
        return None
    flow = services.content.current.flows.get(NOTIFY_FLOW)
    words = (flow.data if flow is not None else {}).get("push") or {}
    return PushSetup(
        keys=load(settings.vapid_public_key, settings.vapid_private_key),
        subject=settings.vapid_subject or settings.public_url,
        message=str(words.get("message") or NEUTRAL_MESSAGE),
        reminder_message=str(words.get("reminder") or REMINDER_MESSAGE),
    )


async def sweep_push(services: Any) -> int:
    """The scheduler's job: send the pushes that are due. Never raises."""
    try:
        setup = push_setup(services)
        if setup is None:
            return 0
        return await send_due(services.database, setup)
    except Exception:
        log.exception("push sweep failed; it will run again")
        return 0
