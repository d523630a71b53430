"""A parent, as a test sees one: sends text or presses buttons by their label."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


class Parent:
    def __init__(self, client: httpx.AsyncClient, session: str | None = None) -> None:
        self.client = client
        self.session = session or f"test-{uuid.uuid4().hex}"
        self.replies: list[dict[str, Any]] = []

    async def send(self, **body: Any) -> list[dict[str, Any]]:
        response = await self.client.post("/api/chat", json={"session": self.session, **body})
        assert response.status_code == 200, response.text
        self.replies = response.json()["replies"]
        return self.replies

    async def open_chat(self) -> list[dict[str, Any]]:
        return await self.send(payload="global:start")

    async def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        return await self.send(text=text, **extra)

    async def press(self, label: str) -> list[dict[str, Any]]:
        return await self.send(payload=self.payload_of(label))

    def payload_of(self, label: str) -> str:
        for reply in self.replies:
            for button in reply["buttons"]:
                if button["label"] == label:
                    return button["payload"]
        shown = [b["label"] for r in self.replies for b in r["buttons"]]
        raise AssertionError(f"no button {label!r}; buttons shown: {shown}")

    @property
    def text(self) -> str:
        return "\n".join(reply["text"] for reply in self.replies)

    @property
    def buttons(self) -> list[str]:
        return [b["label"] for r in self.replies for b in r["buttons"]]

    async def history(self) -> list[dict[str, Any]]:
        response = await self.client.get("/api/chat/history", params={"session": self.session})
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    async def at_main_menu(self) -> None:
        await self.open_chat()
        await self.press("OK, let's start")
        assert "What would you like help with?" in self.text
