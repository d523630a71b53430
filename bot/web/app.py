"""The FastAPI application: everything a browser or a webhook talks to."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.config import Settings, get_settings
from bot.core.actions import ActionRegistry
from bot.services import start_services
from bot.web import chat_api, health
from bot.web.limits import BodySizeLimit

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).parent


def create_app(settings: Settings | None = None, actions: ActionRegistry | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await start_services(settings, actions)
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            await app.state.services.close()

    app = FastAPI(title="Champion", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.ready = False
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.include_router(chat_api.router)
    app.include_router(health.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(WEB_DIR / "templates" / "chat.html", media_type="text/html")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # One readable sentence per problem, without echoing the (possibly private) input.
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
            problems.append(f"{where}: {error['msg']}")
        return JSONResponse(status_code=422, content={"detail": problems})

    return app
