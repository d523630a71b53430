"""WhatsApp Cloud API: a small httpx client, the webhook's checks, and rendering.

- Inbound: the webhook (bot/web/webhooks.py) checks `X-Hub-Signature-256`, then
  each message becomes an `Inbound` (text, a reply button or list row's id as a
  payload, or a media kind). Status updates are ignored.
- Outbound: from the outbox. Up to 3 buttons are reply buttons (titles of at
  most 20 characters), 4 to 10 a list, more a numbered menu the parent answers
  by typing a number. Reminders outside the 24-hour customer-service window go
  as the approved template.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
from typing import Any

import httpx

from bot.channels.documents import document_for
from bot.channels.outbox import CannotDeliver, OutgoingMessage, RetryLater, last_inbound_at
from bot.channels.rendering import plain, split_text, unique_titles
from bot.core.text import whole_number
from bot.core.types import Inbound

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
SERVICE_WINDOW = dt.timedelta(hours=24)
MEDIA_KINDS = ("image", "audio", "video", "sticker", "location", "document", "contacts")


def signature_is_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time."""
    # compare_digest refuses non-ASCII str (a TypeError, so a 500): anyone can send that.
    if not header or not header.isascii() or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def inbound_messages(data: Any) -> list[Inbound]:
    """The parents' messages in one webhook body (statuses and the rest are skipped)."""
    found: list[Inbound] = []
    for message in message_objects(data):
        inbound = _inbound(message)
        if inbound is not None:
            found.append(inbound)
    return found


def message_objects(data: Any) -> list[dict[str, Any]]:
    """Each message object in a webhook body, as Meta sent it."""
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    # A validly signed body can still have any shape: parts that are not what Meta
    # documents are skipped, so the rest is answered and Meta does not resend it.
    return [
        message
        for entry in _objects(data.get("entry"))
        for change in _objects(entry.get("changes"))
        for message in _objects(_object(change.get("value")).get("messages"))
    ]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _ids(*values: Any) -> bool:
    # Phone numbers and message ids are strings in the Cloud API; nothing else is used as one.
    return all(isinstance(v, str | int) and not isinstance(v, bool) and str(v) for v in values)


def _inbound(message: dict[str, Any]) -> Inbound | None:
    sender, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not _ids(sender, message_id):
        return None
    if kind == "text":
        return Inbound(
            CHANNEL,
            str(sender),
            str(message_id),
            text=str(_object(message.get("text")).get("body", "")),
        )
    if kind == "interactive":
        interactive = _object(message.get("interactive"))
        reply = _object(interactive.get("button_reply")) or _object(interactive.get("list_reply"))
        if reply.get("id"):
            return Inbound(CHANNEL, str(sender), str(message_id), payload=str(reply["id"]))
    if kind == "button":  # a quick-reply button on a template message
        text = _object(message.get("button")).get("text", "")
        return Inbound(CHANNEL, str(sender), str(message_id), text=str(text))
    media = kind if kind in MEDIA_KINDS else "attachment"
    return Inbound(CHANNEL, str(sender), str(message_id), media_kind=media)


class WhatsAppSender:
    channel = CHANNEL
    messages_per_second = 80.0

    def __init__(
        self, settings: Any, services: Any, client: httpx.AsyncClient | None = None
    ) -> None:
        self._settings = settings
        self._services = services
        self._client = client or httpx.AsyncClient(timeout=20)
        self._url = f"{settings.whatsapp_api_base}/{settings.whatsapp_phone_number_id}"
        self._auth = {"Authorization": f"Bearer {settings.whatsapp_token}"}

    async def close(self) -> None:
        await self._client.aclose()

    async def download_media(self, media_id: str, limit: int) -> bytes:
        """A file a parent sent, by its media id (bot/channels/whatsapp_media.py)."""
        from bot.channels.whatsapp_media import download

        return await download(
            self._client, self._settings.whatsapp_api_base, self._auth, media_id, limit
        )

    def _words(self) -> dict[str, str]:
        system = self._services.content.current.flows.get("system")
        return dict((system.data if system else {}).get("whatsapp") or {})

    async def send(self, message: OutgoingMessage) -> None:
        if message.purpose == "reminder" and await self._outside_window(message):
            await self._post(self._template(message))
        else:
            for body in self.render(message):
                await self._post(body)
        if message.document:
            await self._send_document(message)

    async def _outside_window(self, message: OutgoingMessage) -> bool:
        last = await self._services.database.read(last_inbound_at, message.parent_id)
        return last is None or dt.datetime.now(dt.UTC) - last > SERVICE_WINDOW

    def _template(self, message: OutgoingMessage) -> dict[str, Any]:
        return {
            "messaging_product": "whatsapp",
            "to": message.chat_id,
            "type": "template",
            "template": {
                "name": self._settings.whatsapp_reminder_template,
                "language": {"code": self._settings.whatsapp_template_language},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": plain(message.text)[:1000]}],
                    }
                ],
            },
        }

    def render(self, message: OutgoingMessage) -> list[dict[str, Any]]:
        """The API calls for one message, in order."""
        words = self._words()
        text = plain(message.text)
        buttons = message.buttons
        base = {"messaging_product": "whatsapp", "to": message.chat_id}
        if len(buttons) > MAX_LIST_ROWS:
            menu = "\n".join(f"{n}. {b['label']}" for n, b in enumerate(buttons, start=1))
            hint = words.get("number_hint", "Reply with the number of your choice.")
            text = f"{text}\n\n{menu}\n\n{hint}"
            buttons = []
        if not buttons:
            return [
                {**base, "type": "text", "text": {"body": piece}}
                for piece in split_text(text, TEXT_LIMIT)
            ]
        pieces = split_text(text, INTERACTIVE_BODY_LIMIT)
        calls = [{**base, "type": "text", "text": {"body": piece}} for piece in pieces[:-1]]
        body = {"text": pieces[-1] or words.get("choose", "Choose")}
        if len(buttons) <= MAX_REPLY_BUTTONS:
            titles = unique_titles([b["label"] for b in buttons], BUTTON_TITLE_LIMIT)
            action = {
                "buttons": [
                    {"type": "reply", "reply": {"id": b["payload"], "title": t}}
                    for b, t in zip(buttons, titles, strict=True)
                ]
            }
            interactive = {"type": "button", "body": body, "action": action}
        else:
            titles = unique_titles([b["label"] for b in buttons], ROW_TITLE_LIMIT)
            rows = []
            for b, t in zip(buttons, titles, strict=True):
                row = {"id": b["payload"], "title": t}
                if t != b["label"]:
                    row["description"] = b["label"][:72]  # the whole label, where it was cut
                rows.append(row)
            interactive = {
                "type": "list",
                "body": body,
                "action": {
                    "button": words.get("choose", "Choose")[:BUTTON_TITLE_LIMIT],
                    "sections": [{"rows": rows}],
                },
            }
        calls.append({**base, "type": "interactive", "interactive": interactive})
        return calls

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._client.post(f"{self._url}/messages", json=body, headers=self._auth)
        return self._check(response)

    def _check(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 429:
            retry = response.headers.get("retry-after", "")
            seconds = retry.replace(".", "", 1)
            raise RetryLater(float(retry) if seconds.isascii() and seconds.isdigit() else 30.0)
        if response.status_code >= 500:
            raise httpx.HTTPStatusError(
                "WhatsApp server error", request=response.request, response=response
            )
        if response.status_code >= 400:
            code = ""
            with contextlib.suppress(ValueError, AttributeError):
                code = str((response.json().get("error") or {}).get("code", ""))
            raise CannotDeliver(
                f"WhatsApp refused the message (HTTP {response.status_code} {code})".strip()
            )
        try:
            return dict(response.json())
        except ValueError:
            return {}

    async def _send_document(self, message: OutgoingMessage) -> None:
        assert message.document is not None
        built = await document_for(self._services, message.parent_id, message.document)
        if built is None:
            return
        uploaded = self._check(
            await self._client.post(
                f"{self._url}/media",
                data={"messaging_product": "whatsapp", "type": built.media_type},
                files={"file": (built.filename, built.body, built.media_type)},
                headers=self._auth,
            )
        )
        await self._post(
            {
                "messaging_product": "whatsapp",
                "to": message.chat_id,
                "type": "document",
                "document": {"id": uploaded.get("id"), "filename": built.filename},
            }
        )


def numbered_choice(buttons: list[dict[str, str]] | None, text: str) -> str | None:
    """A typed number answering a numbered menu (more than 10 choices) -> its payload."""
    number = whole_number(text.strip())
    if not buttons or len(buttons) <= MAX_LIST_ROWS or number is None:
        return None
    return buttons[number - 1]["payload"] if 1 <= number <= len(buttons) else None


def parse_body(raw: bytes) -> Any:
    return json.loads(raw)
