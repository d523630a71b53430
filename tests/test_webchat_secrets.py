"""The web chat's session secret: a stranger who learns a session id gets nothing.

On SQLite and PostgreSQL, through `POST /api/chat` and the GET routes, as a browser
(or an attacker with curl) would use them.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import httpx
from sqlalchemy import select, update

from bot.handoff import tickets
from bot.store import conversations as store
from bot.store.models import Parent as ParentRow
from tests.chat import Parent

parents = ParentRow.__table__
STRANGER = {"Authorization": "Bearer " + "A" * 43}


async def _stored_hash(app: object, session: str) -> str | None:
    database = app.state.services.database  # type: ignore[attr-defined]
    query = select(parents.c.access_token_hash).where(parents.c.chat_id == session)
    return await database.read(lambda c: c.execute(query).scalar())


async def _words_from(app: object, session: str) -> list[str]:
    database = app.state.services.database  # type: ignore[attr-defined]
    entries = await database.read(store.transcript, "web", session)
    return [e.text or "" for e in entries if e.direction == "in"]


async def test_the_first_reply_issues_a_secret_and_only_its_hash_is_kept(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    session = f"fresh-{uuid.uuid4().hex}"
    response = await client.post("/api/chat", json={"session": session, "payload": "global:start"})
    assert response.status_code == 200
    data = response.json()
    assert data["session"] == session and len(data["token"]) >= 40
    assert "I'm Champion" in data["replies"][0]["text"]
    stored = await _stored_hash(app, session)
    assert stored == hashlib.sha256(data["token"].encode()).hexdigest()
    assert data["token"] not in str(stored)
    assert response.headers["cache-control"] == "no-store"

    # Later replies carry no secret; the page keeps the first one.
    parent = Parent(client, session)
    parent.token = data["token"]
    later = await parent.post(payload=parent_payload(data, "OK, let's start"))
    assert later.status_code == 200 and "token" not in later.json()


def parent_payload(data: dict, label: str) -> str:
    return next(b["payload"] for r in data["replies"] for b in r["buttons"] if b["label"] == label)


async def test_a_stranger_who_knows_the_session_id_can_neither_read_nor_write(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("my daughter was excluded from school last week")
    before = await _words_from(app, parent.session)

    for headers in ({}, STRANGER, {"Authorization": "Basic abc"}):
        wrote = await client.post(
            "/api/chat",
            json={"session": parent.session, "text": "I am not the parent"},
            headers=headers,
        )
        assert wrote.status_code == 401
        body = wrote.json()
        assert "started a new one" in body["replies"][0]["text"]
        assert "token" not in body and "excluded" not in wrote.text
        assert wrote.headers["www-authenticate"] == "Bearer"
        for path in ("/api/chat/history", "/api/chat/stream", "/api/chat/document?key=mydata"):
            read = await client.get(path, headers=headers)
            assert read.status_code == 401, path
            assert "excluded" not in read.text
        # The old way, the id in the query string, no longer opens anything.
        old_way = await client.get("/api/chat/history", params={"session": parent.session})
        assert old_way.status_code == 401

    assert await _words_from(app, parent.session) == before  # nothing was written
    # The family's own page carries on as before.
    history = await parent.history()
    assert any("excluded" in m["text"] for m in history)
    await parent.say("menu")
    assert "EHC plans" in parent.buttons


async def test_a_lost_first_response_is_retried_and_gets_the_same_secret(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    session = f"retry-{uuid.uuid4().hex}"
    body = {"session": session, "payload": "global:start", "message_id": "m-1"}
    first = (await client.post("/api/chat", json=body)).json()
    again = await client.post("/api/chat", json=body)  # the page never saw the first
    assert again.status_code == 200
    assert again.json()["token"] == first["token"]
    assert again.json()["replies"] == first["replies"]
    # A different message id is not a retry: without the secret it is refused.
    other = await client.post("/api/chat", json={**body, "message_id": "m-2"})
    assert other.status_code == 401
    started = await _words_from(app, session)
    assert len(started) == 1  # the retried start was answered once, not stepped twice


async def test_a_session_from_before_secrets_starts_a_new_conversation(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("we are waiting for the EHC plan")
    old_session = parent.session
    database = app.state.services.database
    async with database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(
                update(parents)
                .where(parents.c.chat_id == old_session)
                .values(access_token_hash=None)
            )
        )
    before = await _words_from(app, old_session)

    # Whoever sends the old id (the family's old page, or anyone else) gets a new chat.
    response = await client.post("/api/chat", json={"session": old_session, "text": "hello"})
    assert response.status_code == 200
    data = response.json()
    assert data["session"] != old_session and data["token"]
    assert "waiting for the EHC plan" not in response.text
    assert await _words_from(app, old_session) == before  # the old one is untouched
    assert len(await _words_from(app, data["session"])) == 1  # (words kept after consent)
    # The old conversation can be read by nobody through the chat API.
    assert (await client.get("/api/chat/history", headers=parent.auth)).status_code == 401


async def test_end_and_clear_stops_the_secret_working_but_keeps_the_record(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("my son has autism and school want to reduce his hours")
    ended = await client.post("/api/chat/end", headers=parent.auth)
    assert ended.status_code == 200 and ended.json() == {"ended": True}
    assert (await client.get("/api/chat/history", headers=parent.auth)).status_code == 401
    # Champions still have the conversation (until retention removes it).
    words = await _words_from(app, parent.session)
    assert any("reduce his hours" in w for w in words)
    # The same id again starts afresh, under a new id.
    again = await client.post(
        "/api/chat", json={"session": parent.session, "payload": "global:start"}
    )
    assert again.status_code == 200 and again.json()["session"] != parent.session


async def test_the_live_stream_and_downloads_use_the_header(app_and_client: tuple) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    history = await client.get("/api/chat/history", headers=parent.auth)
    assert history.status_code == 200 and history.headers["cache-control"] == "no-store"
    missing = await client.get("/api/chat/document?key=letter:nope", headers=parent.auth)
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"
    weird = await client.get("/api/chat/stream?after=99999999999999999999", headers=parent.auth)
    assert weird.status_code == 422  # a clear refusal, never a 500


async def test_a_token_with_odd_characters_is_refused_cleanly(client: httpx.AsyncClient) -> None:
    odd = ("Bearer " + "²" * 30).encode("latin-1")
    for value in (odd, b"Bearer " + b"x" * 5000, b"Bearer", b"Bearer \x00" * 5):
        response = await client.get("/api/chat/history", headers={"Authorization": value})
        assert response.status_code == 401


async def test_odd_digits_in_a_download_key_or_event_id_are_not_errors(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for key in ("ics:²", "ics:99999999999999999999", "ics:-1"):
        response = await client.get("/api/chat/document", params={"key": key}, headers=parent.auth)
        assert response.status_code == 404, key


def test_last_event_id_is_read_as_plain_digits_only() -> None:
    from bot.web.chat_api import _last_event_id

    assert _last_event_id("42") == 42
    for header in ("²", "١٢", "99999999999999999999", "-3", "", "4 2"):
        assert _last_event_id(header) == 0, header


async def test_a_crisis_from_a_page_that_lost_its_secret_is_answered_in_a_new_chat(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    old_session = parent.session
    parent.token = "x" * 43  # the browser lost it, or it is someone else's
    response = await parent.post(text="I want to kill myself tonight")
    assert response.status_code == 200
    data = response.json()
    assert data["replies"][0]["kind"] == "crisis" and "116 123" in data["replies"][0]["text"]
    assert data["session"] != old_session  # a new conversation, with its own secret
    await app.state.services.dispatcher.wait_for_saves()
    queue = await app.state.services.database.read(tickets.queue, None)
    assert [(t.chat_id, t.urgency) for t in queue] == [(data["session"], "crisis")]


async def test_two_first_requests_racing_for_one_id_cannot_share_it(
    client: httpx.AsyncClient,
) -> None:
    session = f"race-{uuid.uuid4().hex}"
    bodies = [
        {"session": session, "payload": "global:start", "message_id": f"m-{n}"} for n in range(4)
    ]
    responses = await asyncio.gather(*(client.post("/api/chat", json=b) for b in bodies))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 401, 401, 401]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    history = await client.get(
        "/api/chat/history", headers={"Authorization": f"Bearer {winner['token']}"}
    )
    assert history.status_code == 200


async def test_ending_a_chat_needs_its_secret(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/chat/end")).status_code == 401
    assert (await client.post("/api/chat/end", headers=STRANGER)).status_code == 401


async def test_without_javascript_the_words_are_not_put_in_a_url(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert 'method="post" action="/#latest"' in page and "<noscript>" in page
    # The form's words go in the body; the reply comes back as a page
    # (tests/test_chat_without_javascript.py follows a whole chat that way).
    sent = await client.post("/", data={"message": "my son is being hurt at school"})
    assert sent.status_code == 200
    assert "999" in sent.text and "?" not in str(sent.url)
