"""Liveness, readiness and metrics, for load balancers, orchestrators and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Connection, text

from bot import metrics
from bot.store import migrate

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """Alive and started (it does not touch the database)."""
    if not getattr(request.app.state, "ready", False):
        return JSONResponse({"status": "starting"}, status_code=503)
    return JSONResponse({"status": "ok"})


def _ping(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers and its schema is the current one."""
    if not getattr(request.app.state, "ready", False):
        return JSONResponse({"ready": False, "reason": "starting"}, status_code=503)
    database = request.app.state.services.database
    try:
        await database.read(_ping)
    except Exception as exc:
        reason = f"database unreachable ({type(exc).__name__})"
        return JSONResponse({"ready": False, "reason": reason}, status_code=503)
    if not await migrate.is_current(database):
        return JSONResponse({"ready": False, "reason": "migrations not current"}, status_code=503)
    return JSONResponse({"ready": True})


@router.get("/metrics")
async def prometheus_metrics(request: Request) -> Response:
    figures = await request.app.state.services.database.read(metrics.queue_figures)
    return Response(metrics.render(figures), media_type=CONTENT_TYPE_LATEST)
