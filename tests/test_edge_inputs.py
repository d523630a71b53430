"""Inputs that used to give a 500 (issue #16, item 9), each answered the way a person can act on."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.core.text import whole_number
from bot.handoff import tickets
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import Champion, add_account, ask_for_a_champion, client_for, csrf_of
from tests.fakes.telegram_api import TOKEN, fake_telegram
from tests.fakes.whatsapp_graph import PHONE_NUMBER_ID, fake_whatsapp, fixture, signature
from tests.fakes.whatsapp_graph import TOKEN as WHATSAPP_TOKEN

NUL_WORDS = "NUL character"
SECRET = "s" * 40


def test_whole_numbers_are_ascii_digits_within_bounds() -> None:
    assert whole_number("12") == 12
    assert whole_number("0") == 0
    for text in ("²", "١٢", "99999999999999999999", "-1", "", " 1", "1.0", "9" * 5000):
        assert whole_number(text) is None, text


async def test_a_unicode_digit_in_a_button_is_treated_as_an_old_button(
    client: httpx.AsyncClient,
) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.send(payload="main:menu:²")
    assert "earlier step" in parent.replies[0]["text"]
    assert "EHC plans" in parent.buttons


async def test_nul_in_the_sign_in_email_gets_a_clear_400(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={
            "email": "sam\x00@example.org",
            "password": "a long enough password",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.status_code == 400
    assert NUL_WORDS in response.text


async def _admin(app: Any) -> Champion:
    admin = Champion(client_for(app), await add_account(app, "admin"))
    assert (await admin.sign_in()).status_code == 303
    return admin


async def test_nul_in_a_reply_is_refused_and_nothing_reaches_the_parent(
    app_and_client: tuple[Any, httpx.AsyncClient],
) -> None:
    app, client = app_and_client
    await ask_for_a_champion(Parent(client))
    ticket = (await app.state.services.database.read(tickets.queue, None))[0].id
    admin = await _admin(app)
    await admin.claim(ticket)
    response = await admin.reply(ticket, "See you\x00 on Tuesday")
    assert response.status_code == 400 and NUL_WORDS in response.text
    assert "See you" not in await admin.transcript(ticket)


async def test_console_numbers_that_are_not_ours_get_a_page_not_a_500(
    app_and_client: tuple[Any, httpx.AsyncClient],
) -> None:
    app, _client = app_and_client
    admin = await _admin(app)
    for ticket in ("²", "99999999999999999999"):
        audit = await admin.client.get("/console/audit", params={"ticket": ticket})
        assert audit.status_code == 200  # the whole log, unfiltered
    session = {
        "title": "Coffee morning",
        "local_authority": "Leeds",
        "venue": "Central Library",
        "date": "2030-06-04",
        "start": "10:00",
        "end": "12:00",
        "capacity": "²",
    }
    refused = await admin.post("/console/sessions", **session)
    assert refused.status_code == 400
    assert "capacity: &#39;²&#39; is not a whole number" in refused.text
    added = await admin.post(
        "/console/sessions", **{**session, "capacity": "8", "host_id": "99999999999999999999"}
    )
    assert added.status_code == 303, added.text  # hosted by whoever added it


async def test_csv_fields_over_the_limit_and_nul_get_one_line_each(
    app_and_client: tuple[Any, httpx.AsyncClient],
) -> None:
    app, _client = app_and_client
    admin = await _admin(app)
    header = b"title,local_authority,venue,date,start,end,capacity\n"
    for content, words in (
        (header + b'"' + b"x" * 200_000 + b'",Leeds,,2030-06-04,10:00,12:00,5\n', "131,072"),
        (header + b"Coffee\x00,Leeds,,2030-06-04,10:00,12:00,5\n", "line 2: a NUL character"),
    ):
        response = await admin.client.post(
            "/console/sessions/import",
            data={"csrf_token": admin.csrf},
            files={"file": ("sessions.csv", content, "text/csv")},
        )
        assert response.status_code == 400, response.text
        assert words in response.text


@contextlib.asynccontextmanager
async def whatsapp_on(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    async with fake_whatsapp() as fake:
        changed = {
            "whatsapp_token": WHATSAPP_TOKEN,
            "whatsapp_app_secret": SECRET,
            "whatsapp_verify_token": "v" * 40,
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_api_base": fake.api_base,
        }
        async with running_app(settings.model_copy(update=changed)) as (_app, client):
            yield client, fake


async def test_whatsapp_odd_signatures_and_bodies_are_answered_without_a_500(
    settings: Settings,
) -> None:
    async with whatsapp_on(settings) as (client, fake):
        good = json.loads(fixture("text", wa_id="447700900077", message_id="wamid.E1", text="hi"))
        for header in ("sha256=²".encode(), b"sha256=\xb2\xff"):
            response = await client.post(
                "/whatsapp/webhook",
                content=json.dumps(good).encode(),
                headers={"X-Hub-Signature-256": header},
            )
            assert response.status_code == 403
        # Validly signed, but with parts of the wrong shape beside a real message.
        good["entry"].insert(0, 1)
        good["entry"][1]["changes"].insert(0, {"value": {"messages": [1, {"from": []}]}})
        body = json.dumps(good).encode()
        response = await client.post(
            "/whatsapp/webhook",
            content=body,
            headers={"X-Hub-Signature-256": signature(body, SECRET)},
        )
        assert response.status_code == 200
        await fake.wait_for(
            lambda: any("Hello, I'm Champion" in json.dumps(m) for m in fake.to("447700900077"))
        )
        for odd in ({"entry": 1}, {"entry": [{"changes": [{"value": 1}]}]}):
            body = json.dumps(odd).encode()
            headers = {"X-Hub-Signature-256": signature(body, SECRET)}
            assert (
                await client.post("/whatsapp/webhook", content=body, headers=headers)
            ).status_code == 200


async def test_telegram_updates_of_the_wrong_shape_are_dropped_with_200(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "t" * 40
    async with fake_telegram() as fake:
        changed = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base": fake.url,
            "telegram_webhook_url": "https://champion.example.org/telegram/webhook",
            "telegram_webhook_secret": secret,
        }
        async with running_app(settings.model_copy(update=changed)) as (_app, client):
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            caplog.set_level(logging.WARNING, logger="bot.channels.telegram")
            for odd in (
                {"update_id": 1, "message": 5},
                {"update_id": 2, "message": {"chat": "private words"}},
                {"update_id": 3, "callback_query": {"id": 1, "data": []}},
            ):
                response = await client.post("/telegram/webhook", json=odd, headers=headers)
                assert response.status_code == 200
            assert "unexpected shape" in caplog.text
            assert "private words" not in caplog.text  # the error type only, never the body
            update = fake.text_update(4099, "/start")
            assert (
                await client.post("/telegram/webhook", json=update, headers=headers)
            ).status_code == 200
            await fake.wait_for(
                lambda: any(
                    "Hello, I'm Champion" in m.get("text", "") for m in fake.messages_to(4099)
                )
            )
