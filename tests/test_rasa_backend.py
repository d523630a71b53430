"""NLU_BACKEND=rasa: the real HTTP client against a local fake Rasa server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.config import Settings, load_settings
from tests.chat import Parent
from tests.conftest import running_app
from tests.fakes.rasa_server import fake_rasa
from tests.server import free_port


async def chat_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings) as (_app, client):
        yield client


def rasa_settings(settings: Settings, url: str) -> Settings:
    return load_settings(
        **{**settings.model_dump(), "nlu_backend": "rasa", "rasa_url": url},
    )


async def test_messages_are_understood_through_rasa(settings: Settings) -> None:
    with fake_rasa() as (url, seen):
        async for client in chat_client(rasa_settings(settings, url)):
            parent = Parent(client)
            await parent.at_main_menu()
            await parent.say("my son was suspended again today")
            assert parent.text.startswith("**Suspensions and permanent exclusions**")
            assert seen[-1] == {"text": "my son was suspended again today"}


async def test_when_rasa_is_down_menus_and_crisis_rules_still_work(
    settings: Settings, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    async for client in chat_client(rasa_settings(settings, dead)):
        parent = Parent(client)
        await parent.at_main_menu()
        await parent.say("my son was suspended again today")
        # Without the intent server, the answer cards are still searched: the parent is
        # offered the closest ones, and the menu, rather than being left stuck.
        assert "didn't quite follow" in parent.text or "Are you asking about" in parent.text
        assert "EHC plans" in parent.buttons
        await parent.say("she took an overdose")
        assert "999" in parent.text


def test_rasa_without_a_url_is_refused_in_one_line() -> None:
    from bot.config import SettingsError

    with pytest.raises(SettingsError, match="NLU_BACKEND=rasa needs RASA_URL"):
        load_settings(nlu_backend="rasa", rasa_url="")
