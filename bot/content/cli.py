"""`python -m bot content export DIR` and `content import DIR`: published content to and
from files, so it can be kept in git as well."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.content.loading import check_files
from bot.content.releases import add_release, files_from_dirs, latest_release, write_files
from bot.store import migrate
from bot.store.db import Database


async def _with_database(settings: Settings, work):  # type: ignore[no-untyped-def]
    database = Database(settings.sqlalchemy_url)
    try:
        await migrate.upgrade(database)
        async with database.transaction() as transaction:
            return await work(transaction)
    finally:
        await database.dispose()


def export_content(settings: Settings, directory: Path) -> int:
    async def work(transaction):  # type: ignore[no-untyped-def]
        return await transaction.run(latest_release)

    release = asyncio.run(_with_database(settings, work))
    if release is None:
        print("champion: nothing is published yet; start the service once first", file=sys.stderr)
        return 1
    write_files(release.files, directory)
    print(f"exported release {release.id} ({len(release.files)} files) to {directory}")
    return 0


def import_content(settings: Settings, directory: Path) -> int:
    if not (directory / "flows").is_dir() or not (directory / "knowledge").is_dir():
        print(f"champion: {directory} needs flows/ and knowledge/ folders", file=sys.stderr)
        return 1
    files = files_from_dirs(directory / "flows", directory / "knowledge")
    checked = check_files(files)
    if checked.errors:
        for line in checked.errors:
            print(line, file=sys.stderr)
        print(f"champion: not imported: {len(checked.errors)} error(s)", file=sys.stderr)
        return 1

    async def work(transaction):  # type: ignore[no-untyped-def]
        return await transaction.run(
            add_release, files, "command line", f"Imported from {directory.name}"
        )

    release_id = asyncio.run(_with_database(settings, work))
    print(
        f"published release {release_id} ({len(files)} files); "
        "running services pick it up within seconds"
    )
    return 0
