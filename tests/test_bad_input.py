"""Bad input gets a clear answer and loses nothing: never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.chat import Parent


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"session": "abcdefgh1", "text": ', "JSON decode error"),
        (b"not json at all", "JSON decode error"),
        (b'{"text": "hello"}', "session"),
        (b'{"session": "abcdefgh1"}', "exactly one of 'text' or 'payload'"),
        (b'{"session": "abcdefgh1", "text": "a", "payload": "b"}', "exactly one of"),
        (b'{"session": "no", "text": "hello"}', "session"),
        (b'{"session": "../../etc/passwd", "text": "hello"}', "session"),
        (b'{"session": "abcdefgh1", "text": 42}', "text"),
        (b"[]", "body"),
    ],
)
async def test_malformed_requests_get_422_with_a_readable_reason(
    client: httpx.AsyncClient, body: bytes, problem: str
) -> None:
    response = await client.post(
        "/api/chat", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert any(problem in line for line in response.json()["detail"]), response.json()


async def test_empty_text_gets_a_gentle_nudge_and_the_current_step(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("   \n  ")
    assert "looked empty" in parent.replies[0]["text"]
    assert "EHC plans" in parent.buttons


async def test_a_20000_character_message_is_truncated_politely_and_kept(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Every node kind")
    await parent.press("Free text")
    long_story = ("My son has had a really hard year at school. " * 500)[:20_000]
    await parent.say(long_story)
    assert "long message" in parent.replies[0]["text"]
    assert parent.replies[1]["text"].startswith("You said: My son has had a really hard year")
    history = await parent.history()
    kept = [m["text"] for m in history if m["direction"] == "in"][-1]
    assert len(kept) == 4000
    assert long_story.startswith(kept)


async def test_request_bodies_over_the_limit_are_refused_with_413(
    client: httpx.AsyncClient,
) -> None:
    huge = b'{"session": "abcdefgh1", "text": "' + b"x" * 1_100_000 + b'"}'
    response = await client.post(
        "/api/chat", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [
        "main:menu:99",
        "nonsense",
        "main:menu:abc",
        "ehcp:intro:0",
        "global:teleport",
        "::",
        "x" * 128,
    ],
)
async def test_unknown_or_stale_buttons_show_the_current_step_again(
    client: httpx.AsyncClient, payload: str
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.send(payload=payload)
    assert "earlier step" in parent.replies[0]["text"]
    assert "EHC plans" in parent.buttons
    await parent.press("EHC plans")  # and the conversation carries on
    assert "Education, Health and Care plan" in parent.text


async def test_an_old_button_pressed_later_is_stale(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    old_rights_button = parent.payload_of("Your child's rights at school")
    await parent.press("EHC plans")
    await parent.send(payload=old_rights_button)
    assert "earlier step" in parent.replies[0]["text"]
    assert "How do I ask for one?" in parent.buttons


async def test_a_repeated_delivery_is_answered_once(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    first = await parent.send(payload=parent.payload_of("EHC plans"), message_id="m-1")
    again = await parent.send(payload="main:menu:1", message_id="m-1")
    assert again == first
    history = await parent.history()
    assert [m["text"] for m in history if m["direction"] == "in"].count("EHC plans") == 1
    # The conversation moved on once: we are in the EHC flow, not past it.
    await parent.press("How do I ask for one?")
    assert "You can ask the council for an EHC needs assessment yourself" in parent.text


async def test_emoji_only_and_other_scripts_do_not_break_anything(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    for text in [
        "😭😭😭",
        "مرحبا",
        "\u200b",
        "ＭＥＮＵ",
        "menu\u0000",
        "'; DROP TABLE parents; --",
    ]:
        response = await parent.post(text=text)
        assert response.status_code == 200, text
        replies = response.json()["replies"]
        assert replies, text
        assert "went wrong" not in replies[0]["text"], text
    await parent.say("menu")
    assert "EHC plans" in parent.buttons


async def test_history_needs_the_sessions_secret(client: httpx.AsyncClient) -> None:
    for headers in [{}, {"Authorization": "Bearer " + "x" * 43}, {"Authorization": "x"}]:
        response = await client.get("/api/chat/history", headers=headers)
        assert response.status_code == 401
        assert "started a new one" in response.json()["replies"][0]["text"]


async def test_health_and_page(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    page = await client.get("/")
    assert page.status_code == 200
    assert '<html lang="en-GB">' in page.text
    # Nothing is loaded from a CDN (Quick exit's link to a neutral site is not a load).
    assert 'src="https://' not in page.text and 'rel="stylesheet" href="https://' not in page.text
    assert (await client.get("/static/chat.js")).status_code == 200
