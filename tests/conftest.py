"""Shared fixtures: real databases (SQLite always, PostgreSQL when one answers).

Every test that takes `settings` or `client` runs once per database. PostgreSQL
runs against the server on 127.0.0.1 (override with TEST_POSTGRES_URL); when none
answers, those runs are skipped and the reason is printed in the summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.core.actions import ActionContext, ActionRegistry, ActionResult, default_actions
from bot.web.app import create_app
from tests.fakes.stalling_proxy import StallingProxy
from tests.server import ALWAYS_OPEN, set_champion_hours

TEST_DATA = Path(__file__).parent / "data"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_unavailable_reason() -> str | None:
    async def probe() -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # any failure means: skip, and say why
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {type(exc).__name__}: {exc}"
    return None


@contextlib.contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its postgresql:// URL), dropped afterwards;
    skips the test when PostgreSQL is not reachable."""
    reason = _postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway database for this test session; dropped at the end."""
    with throwaway_postgres("champion_test") as url:
        yield url


@contextlib.asynccontextmanager
async def running_app_behind_stall(
    settings: Settings, postgres_url: str
) -> AsyncIterator[tuple[object, httpx.AsyncClient, StallingProxy]]:
    """The app reaching PostgreSQL through a proxy the test can black-hole."""
    url = make_url(postgres_url)
    with StallingProxy(url.port or 5432) as proxy:
        through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
        update = {"database_url": through_proxy}
        async with running_app(settings.model_copy(update=update)) as (app, client):
            yield app, client, proxy


async def _empty_postgres(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'champion.sqlite3'}"
    url = request.getfixturevalue("postgres_database")
    asyncio.run(_empty_postgres(url))
    return url


@pytest.fixture
def content_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """The real flows and knowledge plus the test flows in tests/data/flows."""
    flows = tmp_path / "flows"
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    for extra in (TEST_DATA / "flows").glob("*.yml"):
        shutil.copy(extra, flows / extra.name)
    # The real main menu, plus one way into the test-only flow.
    main = yaml.safe_load((flows / "main.yml").read_text())
    main["nodes"]["menu"]["buttons"].append({"label": "Every node kind", "flow": "kinds"})
    (flows / "main.yml").write_text(yaml.safe_dump(main, sort_keys=False))
    # Parent Champions online around the clock, so tests don't depend on the time
    # they run; tests of opening hours set their own.
    set_champion_hours(flows, ALWAYS_OPEN)
    return flows, knowledge


@pytest.fixture(scope="session")
def nlu_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained classifier for the whole run (it is keyed by the data's hash)."""
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture
def settings(
    database_url: str, content_dirs: tuple[Path, Path], tmp_path: Path, nlu_cache_dir: Path
) -> Settings:
    flows, knowledge = content_dirs
    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        flows_dir=flows,
        knowledge_dir=knowledge,
        nlu_cache_dir=nlu_cache_dir,
        # Flood limits are set explicitly: off unless a test turns them on.
        chat_messages_per_minute=0,
        chat_new_sessions_per_minute=0,
    )


class Explosion(RuntimeError):
    pass


def build_test_actions() -> ActionRegistry:
    """The real actions plus two used only by tests/data/flows/kinds.yml."""
    registry = default_actions()

    @registry.register("double_it")
    def double_it(context: ActionContext) -> ActionResult:
        return ActionResult(variables={"doubled": int(context.variables.get("number", 0)) * 2})

    @registry.register("explode")
    def explode(_context: ActionContext) -> ActionResult:
        raise Explosion("a bug in an action, mid-message")

    return registry


@contextlib.asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    """The app started (migrations, content, NLU) with an HTTP client talking to it."""
    app = create_app(settings, actions=build_test_actions())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://champion.test"
        ) as client:
            yield app, client


@pytest.fixture
async def app_and_client(settings: Settings) -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    async with running_app(settings) as pair:
        yield pair


@pytest.fixture
async def client(app_and_client: tuple[object, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_and_client[1]
