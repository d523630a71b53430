"""One small interface over the two databases Champion runs on.

Store functions are plain synchronous functions over a SQLAlchemy `Connection`;
`Database` runs them the way each database is fastest:

- SQLite: the synchronous sqlite3 driver, called directly on the event loop.
  A statement takes microseconds (WAL, synchronous=NORMAL), far less than a hop
  to a driver thread and back through a busy loop, and SQLite has one writer
  anyway. Writers queue on an asyncio lock. When another process holds the
  file's write lock, SQLite's own busy wait is cut to BUSY_TIMEOUT_MS (it blocks
  the loop), and the transaction is retried with an async sleep instead, for up
  to LOCKED_WAIT_SECONDS, so a locked file never freezes every request.
  Measured: see benchmarks/chat_throughput.py.
- PostgreSQL: asyncpg through SQLAlchemy's async engine; `run_sync` runs the same
  functions, awaiting the network at each statement, with no global lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
StoreFunction = Callable[Concatenate[Connection, P], T]

# SQLite: how long sqlite3 itself may wait (on the event loop) for another process's lock.
BUSY_TIMEOUT_MS = 50
# ...and how long we keep retrying, asleep, before the step gives up politely.
LOCKED_WAIT_SECONDS = 2.5
# PostgreSQL: connecting, each statement, and waiting for a pooled connection.
CONNECT_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_SECONDS = 5.0
# Marks a connection whose transaction erased personal data (see erasure_in_progress).
_ERASED = "champion_erased"


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
            # (A "file:..." URI, e.g. ?mode=ro&uri=true, names an existing file.)
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            sync_url = parsed.set(drivername="sqlite+pysqlite")
            self._sync_engine = create_engine(
                sync_url,
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                # Statement parameters (message text, chat ids) never reach error logs.
                hide_parameters=True,
            )
            event.listen(self._sync_engine, "connect", _sqlite_on_connect)
            event.listen(self._sync_engine, "begin", _sqlite_on_begin)
        else:
            self._async_engine = create_async_engine(
                url,
                pool_size=10,
                max_overflow=10,
                pool_pre_ping=True,
                pool_timeout=POOL_TIMEOUT_SECONDS,
                hide_parameters=True,
                connect_args={
                    "timeout": CONNECT_TIMEOUT_SECONDS,
                    "command_timeout": STATEMENT_TIMEOUT_SECONDS,
                },
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
                stack, connection = await _while_locked(self._begin_sqlite)
                scrub = False
                with stack:  # commits on leaving, rolls back on an exception
                    try:
                        yield Transaction(connection, None)
                    finally:
                        scrub = bool(connection.info.pop(_ERASED, False))
                if scrub:  # reached only once the erasure is committed
                    self._checkpoint()
            return
        assert self._async_engine is not None
        async with self._async_engine.begin() as connection:
            yield Transaction(None, connection)

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it, so erased text (already
        zeroed in the file by secure_delete) leaves no copy in `-wal` either."""
        assert self._sync_engine is not None
        raw = self._sync_engine.raw_connection()
        try:
            # Best effort: a reader in another process can hold back part of it;
            # the next erasure or SQLite's automatic checkpoint finishes the job.
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception:
            log.warning("could not checkpoint the SQLite log after an erasure", exc_info=True)
        finally:
            raw.close()

    def _begin_sqlite(self) -> tuple[contextlib.ExitStack, Connection]:
        """BEGIN IMMEDIATE; the stack ends the transaction."""
        assert self._sync_engine is not None
        stack = contextlib.ExitStack()
        return stack, stack.enter_context(self._sync_engine.begin())

    async def read(self, function: StoreFunction[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a read-only store function outside any write queue."""
        if self._sync_engine is not None:
            engine = self._sync_engine

            def attempt() -> T:
                with engine.connect() as connection:
                    return function(connection, *args, **kwargs)

            return await _while_locked(attempt)
        assert self._async_engine is not None
        async with self._async_engine.connect() as connection:
            return await connection.run_sync(function, *args, **kwargs)

    async def dispose(self) -> None:
        if self._sync_engine is not None:
            self._sync_engine.dispose()
        if self._async_engine is not None:
            await self._async_engine.dispose()


async def _while_locked(attempt: Callable[[], T]) -> T:
    """Run `attempt`; while another process holds the SQLite file's lock, retry it after
    an async sleep (never SQLite's own busy wait, which would block the event loop)."""
    deadline = time.monotonic() + LOCKED_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            return attempt()
        except OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.25)


def _is_locked(exc: OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "locked" in message or "busy" in message


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
    # Deleted rows are overwritten with zeros, not merely unlinked: erased messages
    # must not survive in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def erasure_in_progress(connection: Connection) -> None:
    """Say that this transaction erases personal data: on SQLite the log is then
    checkpointed and emptied once it commits (nothing to do on PostgreSQL)."""
    connection.info[_ERASED] = True


def _sqlite_on_begin(connection: Connection) -> None:
    # Take the write lock up front: a transaction that reads then writes can then
    # never fail halfway because another process started writing in between.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
