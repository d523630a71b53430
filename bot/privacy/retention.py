"""The retention sweep, batch by batch (RETENTION_MONTHS; run by bot/scheduler.py).

SQLite's work runs on the event loop, so its batches are small: each pause for the
parents chatting meanwhile stays near half a second with a million messages.
PostgreSQL's run off the loop, so its batches are larger. A short sleep between
batches lets waiting requests take their turn.
"""

from __future__ import annotations

import asyncio

from bot.privacy.erase import erase_finished_goodbyes, erase_silent
from bot.store.db import Database

BATCH = {"sqlite": 200, "postgresql": 500}
PAUSE_SECONDS = 0.05


async def sweep_retention(database: Database, months: int) -> int:
    """Erase every conversation silent for `months`, then spent goodbyes.
    Returns how many conversations went."""
    batch = BATCH.get(database.dialect, 500)
    erased = 0
    while True:
        async with database.transaction() as transaction:
            count = await transaction.run(erase_silent, months, limit=batch)
        erased += count
        if count < batch:
            break
        await asyncio.sleep(PAUSE_SECONDS)
    async with database.transaction() as transaction:
        await transaction.run(erase_finished_goodbyes)
    return erased
