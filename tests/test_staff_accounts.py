"""Accounts from the command line, argon2 passwords, and sessions that time out."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from bot.config import PROJECT_ROOT, Settings
from bot.staff.accounts import find_for_login
from bot.staff.sessions import resume_session, start_session
from tests.conftest import running_app
from tests.console import Champion, client_for


def create_user(settings: Settings, password: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(settings.data_dir),
        "FLOWS_DIR": str(settings.flows_dir),
        "KNOWLEDGE_DIR": str(settings.knowledge_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "create-user", *args],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )


async def test_create_user_then_sign_in(settings: Settings) -> None:
    made = create_user(
        settings,
        "a long enough password",
        "--email", "Sam@Example.org", "--role", "champion", "--area", "leeds", "Kent", "--name", "Sam",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "created champion sam@example.org for Leeds, Kent"

    again = create_user(
        settings, "a long enough password", "--email", "sam@example.org", "--role", "admin"
    )
    assert again.returncode == 1 and "already an account for sam@example.org" in again.stderr
    typo = create_user(
        settings,
        "a long enough password",
        "--email",
        "x@example.org",
        "--role",
        "champion",
        "--area",
        "Leds",
    )
    assert (
        typo.returncode == 1
        and "'Leds' is not a local authority we know. Did you mean: Leeds" in typo.stderr
    )
    short = create_user(settings, "short", "--email", "y@example.org", "--role", "champion")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr

    async with running_app(settings) as (app, _client):
        member, password_hash = await app.state.services.database.read(
            find_for_login, "sam@example.org"
        )
        assert member is not None and member.areas == ["Leeds", "Kent"] and member.name == "Sam"
        assert password_hash.startswith("$argon2id$")  # never the password itself
        champion = Champion(client_for(app), "SAM@example.org")
        assert (await champion.sign_in("a long enough password")).status_code == 303
        assert "Leeds, Kent" in (await champion.client.get("/console")).text


async def test_an_idle_session_is_signed_out(settings: Settings) -> None:
    async with running_app(settings) as (app, _client):
        create_user(
            settings, "a long enough password", "--email", "idle@example.org", "--role", "champion"
        )
        database = app.state.services.database
        member, _hash = await database.read(find_for_login, "idle@example.org")
        async with database.transaction() as transaction:
            token, _csrf = await transaction.run(start_session, member.id)
        idle = dt.timedelta(minutes=30)
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=29)
        async with database.transaction() as transaction:
            assert await transaction.run(resume_session, token, idle, soon) is not None
        later = soon + dt.timedelta(minutes=31)
        async with database.transaction() as transaction:
            assert await transaction.run(resume_session, token, idle, later) is None
