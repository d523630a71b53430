"""A parent, as a test sees one: sends text or presses buttons by their label."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


class HoldsSecret:
    """A session id, and the secret the server issues with its first reply (as the page
    keeps them): sent back as a header from then on."""

    def __init__(self, session: str | None) -> None:
        self.session = session or f"test-{uuid.uuid4().hex}"
        self.token: str | None = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def take_secret(self, response: httpx.Response) -> httpx.Response:
        data = response.json()
        if "token" in data:
            self.session, self.token = data["session"], data["token"]
        return response


class Parent(HoldsSecret):
    def __init__(self, client: httpx.AsyncClient, session: str | None = None) -> None:
        super().__init__(session)
        self.client = client
        self.replies: list[dict[str, Any]] = []

    async def post(self, **body: Any) -> httpx.Response:
        """One POST /api/chat as the page sends it; takes up a newly issued secret."""
        response = await self.client.post(
            "/api/chat", json={"session": self.session, **body}, headers=self.auth
        )
        return self.take_secret(response)

    async def send(self, **body: Any) -> list[dict[str, Any]]:
        response = await self.post(**body)
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

    async def download(self, url: str) -> httpx.Response:
        """A document link from a reply, fetched as the page does: with the secret."""
        return await self.client.get(url, headers=self.auth)

    async def history(self) -> list[dict[str, Any]]:
        response = await self.client.get("/api/chat/history", headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    async def at_main_menu(self) -> None:
        await self.open_chat()
        await self.press("OK, let's start")
        assert "What would you like help with?" in self.text


class RemoteParent(HoldsSecret):
    """A parent talking to a running `serve` process (blocking), keeping its secret."""

    def __init__(self, base: str, session: str | None = None) -> None:
        super().__init__(session)
        self.base = base

    def post(self, **body: Any) -> httpx.Response:
        response = httpx.post(
            f"{self.base}/api/chat",
            json={"session": self.session, **body},
            headers=self.auth,
            timeout=10,
        )
        return self.take_secret(response)

    def history(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.base}/api/chat/history", headers=self.auth, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["messages"]


async def assert_fact_first(client: httpx.AsyncClient, phrasing: dict[str, Any]) -> None:
    """A parent at the main menu types `phrasing["text"]`; the first reply of kind
    "answer" (after any kind line) shows one of `phrasing["key_phrases"]`."""
    parent = Parent(client)
    await parent.at_main_menu()
    replies = await parent.say(str(phrasing["text"]))
    answers = [r for r in replies if r.get("kind") == "answer"]
    assert answers, [r["text"][:80] for r in replies]
    first = answers[0]["text"].lower()
    phrases = [str(k).lower() for k in phrasing["key_phrases"]]
    assert any(k in first for k in phrases), (phrases, first[:200])
