"""What the e-mail sweep needs from the running service, or None when e-mail is off."""

from __future__ import annotations

import logging
from typing import Any

from bot.notify.mailer import parse_smtp_url
from bot.notify.outbox import NOTIFY_FLOW, MailSetup, send_due

log = logging.getLogger(__name__)
SWEEP_SECONDS = 5  # how soon a confirmation code goes out


def mail_setup(services: Any) -> MailSetup | None:
    settings = services.settings
    if not settings.smtp_url:
        return None
    flow = services.content.current.flows.get(NOTIFY_FLOW)
    words = (flow.data if flow is not None else {}).get("email") or {}
    return MailSetup(
        server=parse_smtp_url(settings.smtp_url),
        sender=settings.smtp_from,
        public_url=settings.public_url,
        key=services.session_key,
        words=words,
    )


async def sweep_mail(services: Any) -> int:
    """The scheduler's job: send the e-mails that are due. Never raises."""
    setup = mail_setup(services)
    if setup is None:
        return 0
    missing = [
        key
        for key in ("code_subject", "code_body", "reply_subject", "reply_body")
        if not setup.words.get(key)
    ]
    if missing:
        log.error("flows/notify.yml data.email lacks %s; no e-mails sent", ", ".join(missing))
        return 0
    try:
        return await send_due(services.database, setup)
    except Exception:
        log.exception("e-mail sweep failed; it will run again")
        return 0
