"""Every route, fed nasty input signed out and signed in as an admin: never a 5xx.

The app is called as plain ASGI (not through httpx), so a live stream can be
left as soon as its status is known, and an exception the app raises is caught
and reported with the route and the input, instead of ending the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from starlette.routing import Route

from bot.config import Settings
from bot.handoff import tickets
from bot.staff.accounts import find_for_login
from bot.web import auth
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import Champion, add_account, ask_for_a_champion, client_for
from tests.dropins import add_dropin
from tests.fakes.telegram_api import TOKEN, fake_telegram
from tests.fakes.whatsapp_graph import PHONE_NUMBER_ID, fake_whatsapp, signature
from tests.fakes.whatsapp_graph import TOKEN as WHATSAPP_TOKEN

TELEGRAM_SECRET = "t" * 40
WHATSAPP_SECRET = "w" * 40

# Strings that have broken web apps before: Unicode digits that pass str.isdigit()
# but not int(), ids too big for a 64-bit column, NUL (PostgreSQL refuses it in
# text), bidi controls, emoji, a huge value and nothing at all.
NASTY = [
    "²",
    "١٢",
    "99999999999999999999",
    "-1",
    "0",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "",
    "🙂",
    "\u202e",
    "../../etc/passwd",
    "1e400",
    "424242",  # an id that does not exist
    "a\x07b",  # a control character YAML refuses
]
# Routes whose every call is slow (a password hash, a check of all content): fewer tries.
FEW = ["²", "99999999999999999999", "a\x00b", "x" * 20_000]
SLOW = {
    "/console/users": ["email", "password", "name", "role", "areas"],
    "/console/content": [],
    "/console/content/edit": ["path", "body"],
}
SESSION = "fuzz-session-0001"
LOGIN_CSRF = "fuzz-login-csrf-token"
# Fields read as numbers get number-shaped trouble; the rest get NUL.
NUMBER_FIELDS = {"canned", "to_member", "capacity", "host_id", "present"}
NUMBER_TRIES = ("²", "99999999999999999999", "a\x00b")
# What JSON can carry besides strings, a lone surrogate included.
JSON_VALUES: list[Any] = [
    *NASTY,
    "\ud800",
    None,
    True,
    -1,
    2**70,
    1.5,
    [],
    {},
    [1, "a"],
    {"a": {"b": [None]}},
]
QUERY_NAMES = [
    "ticket",
    "done",
    "q",
    "path",
    "next",
    "after",
    "session",
    "key",
    "hub.mode",
    "hub.verify_token",
    "hub.challenge",
]
FORM_NAMES = [
    "email",
    "password",
    "name",
    "role",
    "areas",
    "active",
    "path",
    "body",
    "note",
    "text",
    "canned",
    "outcome",
    "to_member",
    "to_area",
    "title",
    "local_authority",
    "venue",
    "address",
    "online_link",
    "date",
    "start",
    "end",
    "capacity",
    "notes",
    "host_id",
    "present",
    "next",
]
# Raw query strings: bytes that are not UTF-8, and encoded NUL.
RAW_QUERIES = [b"after=%C2%B2", b"ticket=%FF%FE", b"q=%00", b"path=flows%2F%00.yml", b"a=%ED%A0%80"]
# Header bytes as a client can send them (HTTP headers arrive as latin-1): b"\xb2" is "²".
HEADER_SETS: list[list[tuple[bytes, bytes]]] = [
    [(b"last-event-id", b"\xb2")],
    [(b"last-event-id", b"99999999999999999999")],
    [(b"last-event-id", b"-5")],
    [(b"x-hub-signature-256", b"sha256=\xb2\xff")],
    [(b"x-hub-signature-256", "sha256=²".encode())],
    [(b"x-telegram-bot-api-secret-token", b"\xff\xfe")],
    [(b"accept", b"application/json\xff")],
    [(b"authorization", b"Bearer \xb2\x00")],
    [(b"content-type", b"application/x-www-form-urlencoded; charset=\xff")],
    [(b"cookie", b"champion_console=\xb2; champion_login_csrf=\x00")],
]
# Bodies for the two webhooks, signed or with the right secret, but not what the platform sends.
WEBHOOK_BODIES: list[Any] = [
    [],
    "x",
    1,
    {"entry": 1},
    {"entry": [1, "x", None]},
    {"entry": [{"changes": [1, {"value": 1}, {"value": {"messages": 1}}]}]},
    {"entry": [{"changes": [{"value": {"messages": [1, "x", {"from": [], "id": {}}]}}]}]},
    {
        "entry": [
            {
                "changes": [
                    {
                        "value": {
                            "messages": [
                                {"from": "447700900999", "id": "m1", "type": "text", "text": 5},
                                {
                                    "from": "447700900999",
                                    "id": "m2",
                                    "type": "interactive",
                                    "interactive": {"button_reply": "x"},
                                },
                                {"from": "447700900999", "id": "m3", "type": "button", "button": 1},
                                {
                                    "from": "447700900999",
                                    "id": "m4",
                                    "type": "text",
                                    "text": {"body": "a\x00b"},
                                },
                            ]
                        }
                    }
                ]
            }
        ]
    },
    {"update_id": "x"},
    {"update_id": None},
    {"update_id": 1, "message": 5},
    {"update_id": 2, "message": {"chat": "x"}},
    {"update_id": 3, "message": {"message_id": 1, "date": "x", "chat": {"id": 1}}},
    {"update_id": 4, "callback_query": {"id": 1, "data": []}},
    {
        "update_id": 5,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 99999999999999999999, "type": "private"},
            "text": "a\x00b",
        },
    },
    {
        "update_id": 6,
        "callback_query": {
            "id": "1",
            "from": {"id": 1, "is_bot": False, "first_name": "P"},
            "chat_instance": "1",
            "data": "main:menu:²",
        },
    },
]


@dataclass
class Outcome:
    status: int | None = None
    error: str = ""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: int = 0

    def check(self, label: str, outcome: Outcome) -> None:
        self.requests += 1
        if outcome.error or outcome.status is None or outcome.status >= 500:
            self.problems.append(f"{label} -> {outcome.status} {outcome.error}".strip())


async def call(
    app: Any,
    method: str,
    path: str,
    query: bytes = b"",
    headers: Iterable[tuple[bytes, bytes]] = (),
    body: bytes = b"",
) -> Outcome:
    """One request as ASGI; a stream is left (disconnected) once its status is known."""
    outcome = Outcome()
    started = asyncio.Event()
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await started.wait()
        await asyncio.sleep(0.05)  # long enough for a stream to read the database once
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            outcome.status = message["status"]
            started.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": quote(path, safe="/%").encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"champion.test"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("champion.test", 80),
        "state": {},
    }
    try:
        await asyncio.wait_for(app(scope, receive, send), timeout=15)
    except TimeoutError:
        if outcome.status is None:
            outcome.error = "no answer within 15 s"
    except Exception as exc:  # the point of the test: report, don't stop
        outcome.error = f"raised {type(exc).__name__}"
    return outcome


def _flat(routes: Iterable[Any], prefix: str = "") -> Iterable[tuple[str, Route]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's include_router
        if included is not None:
            yield from _flat(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route):  # not the /static mount: files, no input to speak of
            yield prefix + route.path, route


def _routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path template, path parameter names) for every route we serve."""
    found = []
    for path, route in _flat(app.routes):
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, path, list(route.param_convertors)))
    # Signing out last, so the rest runs signed in.
    return sorted(found, key=lambda r: r[1] == "/console/logout")


def _fill(template: str, names: list[str], value: str) -> str:
    for name in names:
        template = template.replace("{" + name + "}", value)
    return template


def _form(fields: dict[str, str], csrf: str) -> bytes:
    return urlencode({**fields, "csrf_token": csrf}).encode()


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, bytes]:
    boundary = "fuzzboundary7d3"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8", "surrogatepass")
            + b"\r\n"
        )
    for name, content in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="x.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}".encode()


FORM = (b"content-type", b"application/x-www-form-urlencoded")
JSON = (b"content-type", b"application/json")
CSV_HEADER = b"title,local_authority,venue,address,online_link,date,start,end,capacity,host_email\n"
CSV_FILES = [
    CSV_HEADER + b'"' + b"x" * 200_000 + b'",Leeds,,,,2030-01-01,10:00,11:00,5,\n',
    CSV_HEADER + b"T\x00,Leeds,V,A,,2030-01-01,10:00,11:00,5,\n",
    CSV_HEADER + b"T,Leeds,V,A,,2030-01-01,10:00,11:00,\xc2\xb2,\n",
    CSV_HEADER + b"T,Leeds,V,A,,2030-01-01,10:00,11:00,99999999999999999999,\n",
    b"\xff\xfe\x00\x00",
    b"",
]


def _valid_form(ids: dict[str, str]) -> dict[str, str]:
    """Field values a page would send, so one nasty field at a time gets past the others."""
    return {
        "email": "fuzz-new@example.org",
        "password": "a long enough password",
        "name": "Fuzz",
        "role": "champion",
        "areas": "Leeds",
        "active": "on",
        "path": "flows/fuzz.yml",
        "body": "id: fuzz\n",
        "note": "fuzz",
        "text": "hello",
        "canned": "0",
        "outcome": "advice_given",
        "to_member": "",
        "to_area": "Leeds",
        "title": "Fuzz",
        "local_authority": "Leeds",
        "venue": "Library",
        "address": "1 Street",
        "online_link": "",
        "date": "2030-01-01",
        "start": "10:00",
        "end": "11:00",
        "capacity": "5",
        "notes": "",
        "host_id": ids["member"],
        "present": "1",
        "next": "/console",
    }


async def fuzz_route(
    app: Any,
    findings: Findings,
    method: str,
    template: str,
    params: list[str],
    ids: dict[str, str],
    cookie: bytes,
    csrf: str,
) -> None:
    who = "admin" if cookie else "stranger"
    # The sign-in form's double-submit cookie, so its fields get past the CSRF check.
    login = f"{auth.LOGIN_CSRF_COOKIE}={csrf or LOGIN_CSRF}".encode()
    base = [(b"cookie", b"; ".join(c for c in (cookie, login) if c))]
    csrf = csrf or LOGIN_CSRF
    valid_id = ids.get(template, "1")
    good_path = _fill(template, params, valid_id)

    async def run(label: str, path: str, **kwargs: Any) -> None:
        outcome = await call(app, method, path, **kwargs)
        findings.check(f"{who} {method} {template} {label}", outcome)

    slow = template in SLOW
    values = FEW if slow else NASTY
    for value in values if params else []:
        await run(f"path={value[:30]!r}", _fill(template, params, value))
    for value in values:
        query = urlencode({name: value for name in QUERY_NAMES}).encode()
        await run(f"query={value[:30]!r}", good_path, query=query, headers=base)
        # The same beside a valid session id, so the chat routes read the rest.
        query = urlencode({**{name: value for name in QUERY_NAMES}, "session": SESSION}).encode()
        await run(f"query={value[:30]!r} session ok", good_path, query=query, headers=base)
    for raw in RAW_QUERIES[:2] if slow else RAW_QUERIES:
        await run(f"raw query {raw!r}", good_path, query=raw, headers=base)
    session_query = f"session={SESSION}".encode()
    for extra in HEADER_SETS[:3] if slow else HEADER_SETS:
        await run(f"headers {extra!r}", good_path, query=session_query, headers=[*base, *extra])
    if method != "POST":
        return
    valid = _valid_form(ids)
    for value in values:
        body = _form({name: value for name in FORM_NAMES}, csrf)
        await run(f"form all={value[:30]!r}", good_path, headers=[*base, FORM], body=body)
    if cookie:
        for name in SLOW.get(template, FORM_NAMES):
            for value in NUMBER_TRIES if name in NUMBER_FIELDS else ("a\x00b",):
                body = _form({**valid, name: value}, csrf)
                label = f"form {name}={value!r}"
                await run(label, good_path, headers=[*base, FORM], body=body)
    for content in CSV_FILES:
        body, kind = _multipart({"csrf_token": csrf, "note": "a\x00b"}, {"file": content})
        label = f"multipart file={content[:40]!r}"
        await run(label, good_path, headers=[*base, (b"content-type", kind)], body=body)
    for raw_body in (b"", b"{", b"\xff\xfe", b"\x00", b"[" * 5000, b'"\\ud800"'):
        await run(f"body={raw_body[:20]!r}", good_path, headers=[*base, JSON], body=raw_body)
    for value in JSON_VALUES:
        text = json.dumps({"session": value, "text": value, "payload": value, "message_id": value})
        await run(f"json fields={str(value)[:30]!r}", good_path, headers=[*base, JSON],
                  body=text.encode())  # fmt: skip
        await run(f"json={str(value)[:30]!r}", good_path, headers=[*base, JSON],
                  body=json.dumps(value).encode())  # fmt: skip
    if template in ("/whatsapp/webhook", "/telegram/webhook"):
        for value in WEBHOOK_BODIES:
            raw = json.dumps(value).encode()
            signed = [
                *base,
                JSON,
                (b"x-hub-signature-256", signature(raw, WHATSAPP_SECRET).encode()),
                (b"x-telegram-bot-api-secret-token", TELEGRAM_SECRET.encode()),
            ]
            await run(f"signed body {raw[:60]!r}", good_path, headers=signed, body=raw)
        deep = b"[" * 100_000
        signed = [
            *base,
            JSON,
            (b"x-hub-signature-256", signature(deep, WHATSAPP_SECRET).encode()),
            (b"x-telegram-bot-api-secret-token", TELEGRAM_SECRET.encode()),
        ]
        await run("signed body nested 100,000 deep", good_path, headers=signed, body=deep)


@contextlib.asynccontextmanager
async def app_with_channels(settings: Settings) -> AsyncIterator[Any]:
    async with fake_telegram() as telegram, fake_whatsapp() as whatsapp:
        changed = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base": telegram.url,
            "telegram_webhook_url": "https://champion.example.org/telegram/webhook",
            "telegram_webhook_secret": TELEGRAM_SECRET,
            "whatsapp_token": WHATSAPP_TOKEN,
            "whatsapp_app_secret": WHATSAPP_SECRET,
            "whatsapp_verify_token": "v" * 40,
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_api_base": whatsapp.api_base,
        }
        async with running_app(settings.model_copy(update=changed)) as (app, client):
            yield app, client


async def _real_things(app: Any, client: Any) -> tuple[dict[str, str], bytes, str]:
    """A ticket, a drop-in, a colleague and an admin signed in: valid ids to reach deep."""
    await ask_for_a_champion(Parent(client))
    database = app.state.services.database
    open_tickets = await database.read(tickets.queue, None)
    session_id = await add_dropin(app)
    colleague = await add_account(app, "champion", ["Leeds"])
    admin_email = await add_account(app, "admin")
    admin = Champion(client_for(app), admin_email)
    assert (await admin.sign_in()).status_code == 303
    member, _hash = await database.read(find_for_login, colleague)
    member_id = str(member.id)
    ticket = str(open_tickets[0].id)
    ids = {"member": member_id}
    for template in (
        "/console/tickets/{ticket_id}",
        "/console/tickets/{ticket_id}/live",
        "/console/tickets/{ticket_id}/events",
        "/console/tickets/{ticket_id}/claim",
        "/console/tickets/{ticket_id}/reply",
        "/console/tickets/{ticket_id}/note",
        "/console/tickets/{ticket_id}/transfer",
        "/console/tickets/{ticket_id}/close",
    ):
        ids[template] = ticket
    for template in (
        "/console/sessions/{session_id}",
        "/console/sessions/{session_id}/cancel",
        "/console/sessions/{session_id}/attendance",
        "/console/sessions/{session_id}/message",
    ):
        ids[template] = str(session_id)
    ids["/console/users/{member_id}"] = member_id
    # A release that does not exist: a real rollback publishes (slow) and takes no input.
    ids["/console/content/releases/{release_id}/rollback"] = "424242"
    cookie = f"{auth.SESSION_COOKIE}={admin.client.cookies[auth.SESSION_COOKIE]}".encode()
    return ids, cookie, admin.csrf


async def test_no_input_to_any_route_gets_a_5xx(settings: Settings) -> None:
    async with app_with_channels(settings) as (app, client):
        ids, cookie, csrf = await _real_things(app, client)
        findings = Findings()
        routes = _routes(app)
        assert len(routes) > 30, routes  # we really are walking the whole app
        for method, template, params in routes:
            await fuzz_route(app, findings, method, template, params, ids, b"", "")
        for method, template, params in routes:
            await fuzz_route(app, findings, method, template, params, ids, cookie, csrf)
        # The admin was signed in throughout (so the signed-in half reached the handlers).
        assert findings.requests > 2000
        assert not findings.problems, (
            f"{len(findings.problems)} of {findings.requests} requests failed:\n"
            + "\n".join(findings.problems[:300])
        )
