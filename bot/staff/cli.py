"""`python -m bot create-user`: add a Parent Champion or an admin from the command line."""

from __future__ import annotations

import asyncio
import getpass
import sys

from bot.config import Settings
from bot.staff.accounts import AccountError, create_user, hash_password
from bot.store import migrate
from bot.store.db import Database
from bot.triage.local_authorities import load_local_authorities


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Same password again: "):
            raise AccountError("the two passwords are different")
        return first
    # Piped in (scripts, tests): the first line is the password.
    return sys.stdin.readline().rstrip("\r\n")


def _known_areas(settings: Settings, typed: list[str]) -> list[str]:
    authorities = load_local_authorities(settings.knowledge_dir / "local_authorities.yml")
    names: list[str] = []
    for area in typed:
        found = authorities.by_name(area)
        if found is None:
            guesses = ", ".join(a.name for a in authorities.find(area, 3))
            hint = f" Did you mean: {guesses}?" if guesses else ""
            raise AccountError(f"'{area}' is not a local authority we know.{hint}")
        names.append(found.name)
    return names


async def _create(
    settings: Settings, email: str, role: str, areas: list[str], name: str, password_hash: str
) -> None:
    database = Database(settings.sqlalchemy_url)
    try:
        await migrate.upgrade(database)
        async with database.transaction() as transaction:
            await transaction.run(create_user, email, password_hash, role, areas, name)
    finally:
        await database.dispose()


def create_user_command(
    settings: Settings, email: str, role: str, areas: list[str], name: str
) -> int:
    try:
        area_names = _known_areas(settings, areas)
        if role == "champion" and not area_names:
            print(
                "champion: note: no --area given; this champion will only see parents "
                "who did not say where they live",
                file=sys.stderr,
            )
        password_hash = hash_password(_read_password())
        asyncio.run(_create(settings, email, role, area_names, name, password_hash))
    except AccountError as exc:
        print(f"champion: {exc}", file=sys.stderr)
        return 1
    print(
        f"created {role} {email.strip().casefold()}"
        + (f" for {', '.join(area_names)}" if area_names else "")
    )
    return 0
