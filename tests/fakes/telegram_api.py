"""A local Telegram Bot API server, for the real python-telegram-bot client to talk to.

Speaks the documented HTTP protocol (https://core.telegram.org/bots/api): requests
to /bot<token>/<method> with form or multipart parameters, answers
{"ok": true, "result": ...} or {"ok": false, "error_code", "description",
"parameters": {"retry_after"}}. Supports getMe, getUpdates (long polling),
sendMessage, answerCallbackQuery, sendDocument, getFile (and the file download
URL), setMyCommands, setWebhook and deleteWebhook, and can be told to answer the next calls with a 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.server import free_port

TOKEN = "123456:TEST-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Champion",
    "username": "champion_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class FakeTelegram:
    url: str = ""
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # every call but getUpdates
    commands: list[dict[str, str]] = field(default_factory=list)
    webhook: dict[str, str] = field(default_factory=dict)
    answered_callbacks: list[str] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)  # method -> retry_after queue
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> bytes (getFile)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)

    # -- what a test does ------------------------------------------------------

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Pat"}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": "Pat"}

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        self.updates.append(update)
        self._new_update.set()
        return update

    def text_update(self, chat_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
        return {
            "update_id": update_id or next(self._ids) + 1000,
            "message": {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": self._chat(chat_id),
                "from": self._user(chat_id),
                "text": text,
            },
        }

    def add_text(self, chat_id: int, text: str) -> dict[str, Any]:
        return self.push(self.text_update(chat_id, text))

    def add_press(self, chat_id: int, data: str) -> dict[str, Any]:
        return self.push(
            {
                "update_id": next(self._ids) + 1000,
                "callback_query": {
                    "id": f"cq{next(self._ids)}",
                    "from": self._user(chat_id),
                    "chat_instance": "ci",
                    "data": data,
                    "message": {
                        "message_id": next(self._ids),
                        "date": int(time.time()),
                        "chat": self._chat(chat_id),
                        "text": "earlier message",
                    },
                },
            }
        )

    def add_photo(self, chat_id: int) -> dict[str, Any]:
        update = self.text_update(chat_id, "")
        del update["message"]["text"]
        update["message"]["photo"] = [
            {"file_id": "photo1", "file_unique_id": "p1", "width": 10, "height": 10}
        ]
        return self.push(update)

    def add_document(self, chat_id: int, filename: str, data: bytes) -> dict[str, Any]:
        """A file sent by the parent; the bot fetches it with getFile and the file URL."""
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = data
        update = self.text_update(chat_id, "")
        del update["message"]["text"]
        update["message"]["document"] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "file_size": len(data),
        }
        return self.push(update)

    def fail_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend([retry_after] * times)

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        return [
            c
            for c in self.sent
            if c["method"] in ("sendMessage", "sendDocument") and c.get("chat_id") == str(chat_id)
        ]

    async def wait_for(self, predicate: Any, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"timed out; calls seen: {[(c['method'], c.get('text', '')[:40]) for c in self.sent]}"
        )

    # -- the server ---------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if token != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    files[part.name] = (part.filename, await part.read())
                else:
                    params[part.name] = await part.text()
        elif request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        queue = self.failures.get(method)
        if queue:
            retry_after = queue.pop(0)
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                status=429,
            )
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._updates(params)})
        record = {
            "method": method,
            **{k: (v if isinstance(v, str) else json.dumps(v)) for k, v in params.items()},
        }
        for name in ("reply_markup", "commands"):
            if isinstance(record.get(name), str):
                record[name] = json.loads(record[name])
        if files:
            record["files"] = files
        self.sent.append(record)
        return web.json_response({"ok": True, "result": self._result(method, record)})

    async def file(self, request: web.Request) -> web.Response:
        """A file's bytes, at the path getFile gave (https://core.telegram.org/bots/api#file)."""
        data = self.files.get(request.match_info["file_id"])
        if request.match_info["token"] != TOKEN or data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._new_update.wait(), max(0.0, deadline - time.monotonic())
                )

    def _result(self, method: str, record: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "setMyCommands":
            self.commands = record["commands"]
            return True
        if method == "setWebhook":
            self.webhook = {
                "url": record.get("url", ""),
                "secret_token": record.get("secret_token", ""),
            }
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            return True
        if method == "getFile":
            file_id = record.get("file_id", "")
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files.get(file_id, b"")),
                "file_path": f"documents/{file_id}",
            }
        if method == "answerCallbackQuery":
            self.answered_callbacks.append(record.get("callback_query_id", ""))
            return True
        if method in ("sendMessage", "sendDocument"):
            chat_id = int(record["chat_id"])
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": self._chat(chat_id),
                "from": BOT_USER,
            }
            if method == "sendMessage":
                message["text"] = record.get("text", "")
            else:
                name = next(iter(record["files"].values()))[0]
                message["document"] = {"file_id": "doc1", "file_unique_id": "d1", "file_name": name}
            return message
        return True


@contextlib.asynccontextmanager
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", fake.handle)
    app.router.add_get("/file/bot{token}/documents/{file_id}", fake.file)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()
