"""Files a parent sends on WhatsApp: which messages carry one, and fetching the bytes.

The Cloud API gives a document message a media id. `GET /<version>/<media id>` with the
Bearer token answers `{"url", "mime_type", "sha256", "file_size", "id"}`; a GET of that
url with the same token gives the bytes (the url lasts minutes, so it is fetched at
once). Only a draft plan, sent while "Check my draft plan" waits, is fetched; the bytes
are read in memory by bot/plan/intake.py and dropped. Nothing is deleted from Meta.

The token goes with that second GET, so the url must be https (Meta's always is): a
plain http:// url would hand the token to anyone on the way. The one exception is the
configured API server itself (WHATSAPP_API_BASE, a local stand-in in tests).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from bot.core.outbound import push_message
from bot.core.types import Inbound, Reply
from bot.store.conversations import parent_id_of

log = logging.getLogger(__name__)


class MediaTooLarge(Exception):
    """The file is over the limit (said by the API, or found while downloading)."""


class MediaNotFetched(Exception):
    """The Graph API would not give the file (an expired id, a refusal, the network)."""


class MediaRefused(MediaNotFetched):
    """The file's url is one we won't send the access token to (not https)."""


@dataclass(frozen=True, slots=True)
class SentDocument:
    media_id: str
    filename: str


def documents_in(messages: list[dict[str, Any]]) -> dict[str, SentDocument]:
    """message id -> its document, for each document message (bot/channels/whatsapp.py
    message_objects gives the messages)."""
    found: dict[str, SentDocument] = {}
    for message in messages:
        document = message.get("document")
        if message.get("type") != "document" or not isinstance(document, dict):
            continue
        media_id, filename = document.get("id"), document.get("filename")
        if isinstance(media_id, str | int) and not isinstance(media_id, bool) and str(media_id):
            name = filename if isinstance(filename, str) else ""
            found[str(message.get("id"))] = SentDocument(str(media_id), name)
    return found


def may_carry_token(url: str, api_base: str) -> bool:
    """https, or the configured API server's own address (scheme, host and port)."""
    parts, api = urlsplit(url), urlsplit(api_base)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def _size(value: Any) -> int | None:
    # file_size is a number in Meta's documentation and a string in some answers.
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() else None


async def download(
    client: httpx.AsyncClient, api_base: str, auth: dict[str, str], media_id: str, limit: int
) -> bytes:
    """The file's bytes; MediaTooLarge past `limit` bytes (reading stops there)."""
    try:
        described = await client.get(f"{api_base}/{quote(media_id, safe='')}", headers=auth)
        if described.status_code != 200:
            raise MediaNotFetched(f"HTTP {described.status_code}")
        about = described.json()
        url = about.get("url") if isinstance(about, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise MediaNotFetched("no url")
        if not may_carry_token(url, api_base):
            raise MediaRefused("not https")
        size = _size(about.get("file_size"))
        if size is not None and size > limit:
            raise MediaTooLarge
        async with client.stream("GET", url, headers=auth) as response:
            if response.status_code != 200:
                raise MediaNotFetched(f"HTTP {response.status_code}")
            declared = _size(response.headers.get("content-length"))
            if declared is not None and declared > limit:
                raise MediaTooLarge
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise MediaTooLarge
        return bytes(data)
    except (httpx.HTTPError, ValueError) as exc:
        raise MediaNotFetched(type(exc).__name__) from None


async def plan_document(
    services: Any, sender: Any, inbound: Inbound, document: SentDocument
) -> Inbound | None:
    """The plan's text as the parent's message; None once a refusal was queued; the
    inbound unchanged (a document we don't read) when no plan is awaited."""
    from bot.plan.intake import (
        FileNotFetched,
        FileRefused,
        FileTooLarge,
        problem_words,
        read_sent_file,
        waiting_for_plan,
    )

    if not await waiting_for_plan(services, inbound.channel, inbound.chat_id):
        return inbound

    async def fetch(limit: int) -> bytes:
        try:
            return await sender.download_media(document.media_id, limit)
        except MediaTooLarge:
            raise FileTooLarge from None
        except MediaRefused:
            log.warning("a WhatsApp document's address was not https; not fetched")
            raise FileRefused from None
        except MediaNotFetched as exc:
            log.warning("a WhatsApp document could not be fetched (%s)", exc)
            raise FileNotFetched from None

    text, problem = await read_sent_file(document.filename, fetch)
    if text is not None:
        return dataclasses.replace(inbound, text=text, media_kind=None)
    # Queued like any message to the parent, so a busy or failing Graph API is retried;
    # the conversation stays at the plan question, so they can simply send it again.
    words = problem_words(services, problem or "unreadable")
    parent_id = await services.database.read(parent_id_of, inbound.channel, inbound.chat_id)
    if parent_id is not None:
        async with services.database.transaction() as transaction:
            await transaction.run(push_message, parent_id, Reply(words))
    return None
