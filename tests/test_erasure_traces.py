"""Erased words leave no copy in the SQLite files: not in free pages of the database
(secure_delete) and not in the write-ahead log (checkpointed and emptied after an
erasure). PostgreSQL keeps dead rows until VACUUM; that is outside this test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.config import Settings
from bot.privacy.erase import erase_inactive
from bot.store import conversations as store
from bot.store.models import Conversation, utcnow
from tests.chat import Parent
from tests.conftest import running_app

DISTINCTIVE = "Quokka lantern 90210 is where Ellis hides the spare key"


def files_of(settings: Settings) -> list[Path]:
    database = Path(settings.database_url.split("///", 1)[1])
    return [database, database.with_name(database.name + "-wal")]


def bytes_hold(paths: list[Path], needle: str) -> list[str]:
    return [p.name for p in paths if p.exists() and needle.encode() in p.read_bytes()]


async def test_erased_text_is_in_neither_the_database_file_nor_its_log(
    settings: Settings,
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite files' bytes")
    async with running_app(settings) as (app, client):
        database = app.state.services.database
        parent = Parent(client)
        await parent.at_main_menu()
        await parent.say(DISTINCTIVE)
        # The words are on disk before the erasure (else this test proves nothing).
        assert bytes_hold(files_of(settings), "Quokka lantern")
        parent_id = await database.read(store.parent_id_of, "web", parent.session)
        long_ago = utcnow() - dt.timedelta(days=400)
        async with database.transaction() as transaction:
            await transaction.run(
                lambda c: c.execute(
                    update(Conversation.__table__)
                    .where(Conversation.__table__.c.parent_id == parent_id)
                    .values(updated_at=long_ago)
                )
            )
            assert await transaction.run(erase_inactive, 12) == 1
        assert bytes_hold(files_of(settings), "Quokka lantern") == []
        wal = files_of(settings)[1]
        assert not wal.exists() or wal.stat().st_size == 0
