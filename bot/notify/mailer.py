"""Sending one e-mail over SMTP (aiosmtplib), from the SMTP_URL setting.

SMTP_URL looks like smtp://user:password@host:587 (STARTTLS when the server offers
it; `?starttls=required` insists on it, `?starttls=off` never tries) or
smtps://user:password@host:465 (TLS from the start).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

SEND_TIMEOUT_SECONDS = 20  # for each step of the conversation with the server
# For the whole send (connect, TLS, log in, the message): the sweep's lease on a mail
# is longer than this, so no other sweep takes a mail while it is still being sent.
SEND_DEADLINE_SECONDS = 60


class MailSettingError(ValueError):
    """SMTP_URL can't be read; the message says what is wrong, without the password."""


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool | None  # None: if the server offers it


def parse_smtp_url(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise MailSettingError("SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise MailSettingError("SMTP_URL needs a host, like smtp://user:pass@mail.example.org:587")
    try:
        port = parts.port
    except ValueError as exc:
        raise MailSettingError("SMTP_URL has a port that is not a number") from exc
    option = (parse_qs(parts.query).get("starttls") or [""])[0].lower()
    if option not in ("", "required", "off"):
        raise MailSettingError("SMTP_URL's starttls option must be 'required' or 'off'")
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if implicit else 587),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
        starttls=None if implicit or not option else option == "required",
    )


def compose(sender: str, to: str, subject: str, body: str, unsubscribe: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message.set_content(body)
    return message


async def send(server: SmtpServer, message: EmailMessage) -> None:
    """Send, or raise (aiosmtplib's errors, OSError, TimeoutError after
    SEND_DEADLINE_SECONDS) for the sweep to retry later."""
    async with asyncio.timeout(SEND_DEADLINE_SECONDS):
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=False if server.implicit_tls else server.starttls,
            timeout=SEND_TIMEOUT_SECONDS,
        )
