"""A local WhatsApp Cloud API (Graph API) server: what Champion sends, checked here.

Speaks the documented endpoints: POST /<version>/<phone number id>/messages with a
JSON body and a Bearer token, answering {"messaging_product", "contacts",
"messages": [{"id"}]}; POST /<version>/<phone number id>/media (multipart) answering
{"id"}. Can be told to answer the next calls with a 429 and a Retry-After header.

Files a parent sends: `add_media` stores bytes (in `files`) under a media id; GET /<version>/<media
id> answers {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
and GET of that url (on its own path, as Meta's is on another host) gives the bytes,
both only with the Bearer token.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.server import free_port

VERSION = "v21.0"
PHONE_NUMBER_ID = "109876543210"
TOKEN = "test-whatsapp-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token-0123456789abcdefgh"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "whatsapp"


def fixture(name: str, **replace: str) -> bytes:
    """A recorded webhook body, with placeholders like {message_id} filled in."""
    text = (FIXTURES / f"{name}.json").read_text()
    for key, value in replace.items():
        text = text.replace("{" + key + "}", value)
    return text.encode()


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class FakeWhatsApp:
    url: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    rate_limited: int = 0  # answer this many next calls with 429
    # media id -> (bytes, mime type); ids in `media_gone` answer 404 (an expired id)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_gone: set[str] = field(default_factory=set)
    media_fetches: list[str] = field(default_factory=list)  # ids whose bytes were fetched
    say_file_size: bool = True  # leave file_size out, as some answers do
    # Where the media url points (default: this server); a test may give another address.
    media_url_base: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def api_base(self) -> str:
        return f"{self.url}/{VERSION}"

    def to(self, wa_id: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("to") == wa_id]

    async def wait_for(self, predicate: Any, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; sent: {json.dumps(self.sent)[:1500]}")

    async def messages(self, request: web.Request) -> web.Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        body = await request.json()
        self.sent.append(body)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.out.{next(self._ids)}"}],
            }
        )

    async def media(self, request: web.Request) -> web.Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        form = await request.post()
        upload = form["file"]
        self.uploads.append(
            {"filename": upload.filename, "type": form.get("type"), "body": upload.file.read()}
        )
        return web.json_response({"id": f"media-{next(self._ids)}"})

    def add_media(self, data: bytes, mime_type: str) -> str:
        media_id = str(1_000_000_000_000 + next(self._ids))
        self.files[media_id] = (data, mime_type)
        return media_id

    async def media_info(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": {"code": 190}}, status=401)
        if media_id not in self.files or media_id in self.media_gone:
            return web.json_response({"error": {"code": 100, "message": "No media"}}, status=404)
        data, mime_type = self.files[media_id]
        about: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "url": f"{self.media_url_base or self.url}"
            f"/lookaside/whatsapp_business/attachments/?mid={media_id}",
            "mime_type": mime_type,
            "sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            "id": media_id,
        }
        if self.say_file_size:
            about["file_size"] = len(data)
        return web.json_response(about)

    async def media_bytes(self, request: web.Request) -> web.StreamResponse:
        media_id = request.query.get("mid", "")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401)
        if media_id not in self.files:
            return web.Response(status=404)
        self.media_fetches.append(media_id)
        data, mime_type = self.files[media_id]
        # Chunked, with no Content-Length: the reader must count the bytes itself.
        response = web.StreamResponse(headers={"Content-Type": mime_type})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(data), 256 * 1024):
            await response.write(data[start : start + 256 * 1024])
        await response.write_eof()
        return response

    def _refuse(self, request: web.Request) -> web.Response | None:
        if request.match_info["phone"] != PHONE_NUMBER_ID:
            return web.json_response(
                {"error": {"code": 100, "message": "Unknown phone number id"}}, status=400
            )
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response(
                {"error": {"code": 190, "message": "Invalid OAuth access token"}}, status=401
            )
        if self.rate_limited:
            self.rate_limited -= 1
            return web.json_response(
                {"error": {"code": 130429, "message": "Rate limit hit"}},
                status=429,
                headers={"Retry-After": "1"},
            )
        return None


@contextlib.asynccontextmanager
async def fake_whatsapp() -> AsyncIterator[FakeWhatsApp]:
    fake = FakeWhatsApp()
    app = web.Application()
    app.router.add_post(f"/{VERSION}/{{phone}}/messages", fake.messages)
    app.router.add_post(f"/{VERSION}/{{phone}}/media", fake.media)
    app.router.add_get(f"/{VERSION}/{{media_id}}", fake.media_info)
    app.router.add_get("/lookaside/whatsapp_business/attachments/", fake.media_bytes)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()
