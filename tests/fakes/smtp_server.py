"""A real SMTP server (aiosmtpd) standing in for the mail provider: it keeps what it
receives, parsed, for tests to read. Runs in its own thread, like a separate server."""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.server import free_port


class _Keeper:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        # Answers to give the next messages, in turn: after how many seconds, and what
        # (a 4xx or 5xx answer keeps nothing). Then every message is kept at once.
        self.answers: list[tuple[float, str]] = []

    async def handle_DATA(
        self, _server: Any, _session: Any, envelope: Any
    ) -> str:  # aiosmtpd calls it by this name
        if self.answers:
            seconds, answer = self.answers.pop(0)
            await asyncio.sleep(seconds)
            if not answer.startswith("2"):
                return answer
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 OK"


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._keeper = _Keeper()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    @property
    def received(self) -> list[EmailMessage]:
        return self._keeper.received

    def answer_next(self, seconds: float, answer: str = "250 OK") -> None:
        """The next message waits this long for an answer, and gets this one."""
        self._keeper.answers.append((seconds, answer))

    def start(self) -> None:
        self._controller = Controller(self._keeper, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()
