"""No silent sign-out: the console warns before the idle timeout, "Stay signed in"
extends it, and a half-written note survives signing in again."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, update

from bot.config import Settings
from bot.staff.sessions import staff_sessions
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import ask_for_a_champion
from tests.server import always_open_flows, create_account, running_server
from tests.test_console_keyboard import _parent_asks
from tests.test_handoff import champion_of, ticket_of
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

EMAIL = "lee@example.org"
PASSWORD = "a long enough password"


async def _idle_for(app: object, minutes: int) -> None:
    """As if nobody had used the console for `minutes` (every session)."""

    await _idle_for_seconds(app, minutes * 60)


async def test_time_left_without_keeping_the_session_alive(app_and_client: tuple) -> None:
    app, _client = app_and_client
    sam = await champion_of(app, ["Leeds"], name="Sam")
    status = await sam.client.get("/console/session")
    assert status.status_code == 200
    assert 29 * 60 < status.json()["seconds_left"] <= 30 * 60

    await _idle_for(app, 26)
    # Asking does not count as using the console: still about four minutes left.
    for _ in range(2):
        left = (await sam.client.get("/console/session")).json()["seconds_left"]
        assert 3 * 60 < left <= 4 * 60

    refused = await sam.client.post("/console/session/stay", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    stayed = await sam.post("/console/session/stay")
    assert stayed.status_code == 200 and stayed.json()["seconds_left"] > 29 * 60

    await _idle_for(app, 31)
    gone = await sam.client.get("/console/session")
    assert gone.status_code == 401 and "sign in" in gone.json()["error"].lower()
    assert (await sam.post("/console/session/stay")).status_code == 401


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("console-idle")
    database = tmp / "console.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
    }
    create_account(env, EMAIL, "champion", areas=("Leeds",), name="Lee", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base, database


def _back_date_sessions(database: Path, minutes: int) -> None:
    then = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=minutes)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE staff_sessions SET last_seen_at = ?", (then.isoformat(" "),))


@pytest.mark.browser
def test_warned_before_sign_out_and_the_note_survives(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base_url, database = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _parent_asks(browser, base_url, "he was sent home again")
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        console = context.new_page()
        console.set_default_timeout(10_000)
        console.clock.install()
        console.goto("/console/tickets/1")
        console.get_by_label("E-mail address").fill(EMAIL)
        console.get_by_label("Password").fill(PASSWORD)
        # The page's first session check must be answered before the session is
        # back-dated: a late answer (30 minutes left) would cancel the warning. Nothing
        # else the page does by itself (heartbeat, live streams) counts as use.
        with console.expect_response("**/console/session") as first_check:
            console.keyboard.press("Enter")
        assert first_check.value.ok
        first_check.value.finished()
        expect(console.get_by_role("heading", name="Ticket #1")).to_be_visible()
        warning = console.locator("#idle-warning")
        expect(warning).to_have_count(0)
        expect(console.locator("#idle-status")).to_have_count(1)

        # 26 minutes without using the console: the next check warns, with a way to stay.
        _back_date_sessions(database, 26)
        console.clock.fast_forward("01:05")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("You will be signed out in")
        console.screenshot(path=str(ARTIFACTS / "console-idle-warning.png"))
        console.get_by_role("button", name="Stay signed in").click()
        expect(warning).to_be_hidden()
        expect(console.locator("#idle-status")).to_have_text("You are still signed in.")

        # Half-way through a note, the session runs out after all.
        console.get_by_label("Note", exact=True).fill("Mum says the head called at 2pm")
        _back_date_sessions(database, 31)
        console.clock.fast_forward("01:05")
        expect(warning).to_contain_text("You have been signed out")
        console.get_by_role("link", name="Sign in again").click()
        console.get_by_label("E-mail address").fill(EMAIL)
        console.get_by_label("Password").fill(PASSWORD)
        console.keyboard.press("Enter")
        expect(console.get_by_role("heading", name="Ticket #1")).to_be_visible()
        expect(console.get_by_label("Note", exact=True)).to_have_value(
            "Mum says the head called at 2pm"
        )
        browser.close()


async def test_an_open_pages_live_refresh_does_not_keep_the_champion_signed_in(
    settings: Settings,
) -> None:
    """Review finding (#18): the queue's and ticket's live refresh touched the session,
    so an idle champion with the page open was never signed out."""
    short = settings.model_copy(update={"console_idle_minutes": 2})
    async with running_app(short) as (app, client):
        parent = Parent(client)
        await ask_for_a_champion(parent, "Leeds")
        sam = await champion_of(app, ["Leeds"], name="Sam")
        ticket = (await ticket_of(app, parent)).id
        background = ["/console/queue", f"/console/tickets/{ticket}/live"]

        # Nobody at the keyboard for 90 seconds, while the open pages keep refreshing.
        await _idle_for_seconds(app, 90)
        for path in background:
            assert (await sam.client.get(path)).status_code == 200
        left = (await sam.client.get("/console/session")).json()["seconds_left"]
        assert left <= 30, "the refreshes kept the session alive"
        # Past the idle limit with only refreshes since: signed out, refreshes too.
        await _idle_for_seconds(app, 121)
        for path in background:
            assert (await sam.client.get(path)).status_code in (303, 401)
        assert (await sam.client.get("/console/events")).status_code == 401
        assert (await sam.client.get("/console")).status_code == 303

        # What the champion does still counts: opening the ticket keeps them signed in.
        sam = await champion_of(app, ["Leeds"], name="Sam Two")
        await _idle_for_seconds(app, 90)
        assert (await sam.client.get(f"/console/tickets/{ticket}")).status_code == 200
        left = (await sam.client.get("/console/session")).json()["seconds_left"]
        assert left > 110


async def _idle_for_seconds(app: object, seconds: int) -> None:
    def back_date(connection: Connection) -> None:
        then = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
        connection.execute(update(staff_sessions).values(last_seen_at=then))

    async with app.state.services.database.transaction() as transaction:  # type: ignore[attr-defined]
        await transaction.run(back_date)
