"""Liveness, readiness and metrics, for load balancers, orchestrators and Prometheus."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Connection, text

from bot import metrics
from bot.store import migrate
from bot.store.db import Database

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """Alive and started (it does not touch the database)."""
    if not getattr(request.app.state, "ready", False):
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok"})


# /readyz answers within this many seconds whatever the database does (a load
# balancer's probe typically gives up at 5).
READY_SECONDS = 3.0


# Timed-out checks still unwinding (a reference, so they are not garbage-collected).
_abandoned: set[asyncio.Task[str | None]] = set()


class _ProbeDone(Exception):
    """Raised inside the probe's transaction so that it rolls back."""


def _ping(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))


def _try_a_write(connection: Connection) -> None:
    # A write that changes nothing, rolled back: fails on a read-only database
    # (a replica, PostgreSQL's default_transaction_read_only, a read-only SQLite file).
    connection.execute(text("UPDATE alembic_version SET version_num = version_num"))


async def _check(database: Database) -> str | None:
    """None when the database reads and writes; otherwise why not."""
    try:
        await database.read(_ping)
    except Exception as exc:
        return f"database unreachable ({type(exc).__name__})"
    try:
        async with database.transaction() as transaction:
            await transaction.run(_try_a_write)
            raise _ProbeDone
    except _ProbeDone:
        pass
    except Exception as exc:
        return f"database refuses writes ({type(exc).__name__})"
    if not await migrate.is_current(database):
        return "migrations not current"
    return None


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers, takes writes, and its schema is current."""
    if not getattr(request.app.state, "ready", False):
        return JSONResponse({"ready": False, "reason": "starting"}, status_code=503)
    database = request.app.state.services.database
    check = asyncio.create_task(_check(database))
    done, _pending = await asyncio.wait({check}, timeout=READY_SECONDS)
    if check in done:
        reason = check.result()
    else:
        # Don't wait for the cancellation either: closing a connection to a stalled
        # server can itself take seconds. The task is kept until it has finished.
        check.cancel()
        _abandoned.add(check)
        check.add_done_callback(_abandoned.discard)
        reason = f"database did not answer within {READY_SECONDS:g} s"
    if reason is not None:
        return JSONResponse({"ready": False, "reason": reason}, status_code=503)
    return JSONResponse({"ready": True})


@router.get("/metrics")
async def prometheus_metrics(request: Request) -> Response:
    figures = await request.app.state.services.database.read(metrics.queue_figures)
    return Response(metrics.render(figures), media_type=CONTENT_TYPE_LATEST)
