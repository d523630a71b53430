"""One small interface over the two databases Champion runs on.

Store functions are plain synchronous functions over a SQLAlchemy `Connection`;
`Database` runs them the way each database is fastest:

- SQLite: the synchronous sqlite3 driver, called directly on the event loop.
  A statement takes microseconds (WAL, synchronous=NORMAL), far less than a hop
  to a driver thread and back through a busy loop, and SQLite has one writer
  anyway. Writers queue on an asyncio lock, so no one sleeps in SQLite's
  busy handler. Measured: see benchmarks/chat_throughput.py.
- PostgreSQL: asyncpg through SQLAlchemy's async engine; `run_sync` runs the same
  functions, awaiting the network at each statement, with no global lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

P = ParamSpec("P")
T = TypeVar("T")
StoreFunction = Callable[Concatenate[Connection, P], T]


class Transaction:
    """Runs store functions inside one open transaction."""

    def __init__(
        self, sync_connection: Connection | None, async_connection: AsyncConnection | None
    ):
        self._sync = sync_connection
        self._async = async_connection

    async def run(self, function: StoreFunction[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._sync is not None:
            return function(self._sync, *args, **kwargs)
        assert self._async is not None
        return await self._async.run_sync(function, *args, **kwargs)


class Database:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self._sync_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        self._write_lock: asyncio.Lock | None = None
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            sync_url = parsed.set(drivername="sqlite+pysqlite")
            self._sync_engine = create_engine(
                sync_url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            event.listen(self._sync_engine, "connect", _sqlite_on_connect)
            event.listen(self._sync_engine, "begin", _sqlite_on_begin)
        else:
            self._async_engine = create_async_engine(
                url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Commit on success, roll back on any exception."""
        if self._sync_engine is not None:
            if self._write_lock is None:
                self._write_lock = asyncio.Lock()  # created on the serving loop
            async with self._write_lock:
                with self._sync_engine.begin() as connection:
                    yield Transaction(connection, None)
            return
        assert self._async_engine is not None
        async with self._async_engine.begin() as connection:
            yield Transaction(None, connection)

    async def read(self, function: StoreFunction[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a read-only store function outside any write queue."""
        if self._sync_engine is not None:
            with self._sync_engine.connect() as connection:
                return function(connection, *args, **kwargs)
        assert self._async_engine is not None
        async with self._async_engine.connect() as connection:
            return await connection.run_sync(function, *args, **kwargs)

    async def dispose(self) -> None:
        if self._sync_engine is not None:
            self._sync_engine.dispose()
        if self._async_engine is not None:
            await self._async_engine.dispose()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin
    # (the module's own rule would leave the first SELECT outside the transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers carry on while one writer commits; NORMAL sync is safe with
    # WAL (a power cut can lose the last commit, never corrupt the file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    # Take the write lock up front: a transaction that reads then writes can then
    # never fail halfway because another process started writing in between.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
