"""The FastAPI application: everything a browser or a webhook talks to."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.channels.runtime import start_channels
from bot.config import Settings, get_settings
from bot.core.actions import ActionRegistry
from bot.scheduler import start_scheduler
from bot.services import start_services
from bot.web import (
    auth,
    chat_api,
    chat_form,
    console,
    console_admin,
    console_content,
    console_follow_ups,
    console_idle,
    console_login,
    console_presence,
    console_ratings,
    console_reports,
    console_sessions,
    embed,
    health,
    plan_upload,
    push_routes,
    typing_routes,
    unsubscribe,
    webhooks,
)
from bot.web.client import parse_networks
from bot.web.edge import EdgeChecks
from bot.web.embed_origins import parse_embed_origins
from bot.web.greeting import with_greeting
from bot.web.limits import BodySizeLimit
from bot.web.security_headers import SecurityHeaders

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).parent


def settle_startup_objects() -> None:
    """Move everything loaded at start-up (content, models, indexes) out of the garbage
    collector's reach. Without this, every full collection walks all of those
    long-lived objects: about 100 ms, every dozen console pages or so, landing on
    whichever request (a crisis reply included) happens to be running. Objects freed
    later by reference counting are still freed; only cycles among them are kept."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None,
    actions: ActionRegistry | None = None,
    *,
    settle_after_start: bool = False,
) -> FastAPI:
    """The web app. `settle_after_start` is for the server process (`bot serve`) only:
    a test process starts many apps, and freezing each one's objects would keep them."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services = await start_services(settings, actions)
        app.state.channels = await start_channels(services)
        scheduler = start_scheduler(services, app.state.channels.names)
        if settle_after_start:
            settle_startup_objects()
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app.state.channels.stop()
            await services.close()

    app = FastAPI(title="Champion", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.ready = False
    # Read by bot/web/client.py: whose X-Forwarded-* headers to believe.
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    # Read by bot/web/security_headers.py and bot/web/embed.py: who may frame /embed.
    app.state.embed_origins = parse_embed_origins(settings.embed_allowed_origins)
    app.add_middleware(EdgeChecks)  # inside BodySizeLimit (added next), so forms are bounded
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        larger={
            plan_upload.UPLOAD_PATH: plan_upload.UPLOAD_REQUEST_BYTES,
            chat_form.PLAN_FORM_PATH: plan_upload.UPLOAD_REQUEST_BYTES,  # the same, no JS
        },
    )
    # Added last, so it is outermost: even a 413 carries the headers.
    app.add_middleware(SecurityHeaders)
    app.include_router(chat_api.router)
    app.include_router(plan_upload.router)  # POST /api/chat/upload: a draft plan as a file
    app.include_router(chat_form.router)  # POST /: the chat without JavaScript
    app.include_router(embed.router)  # /widget.js and /embed: the chat on a council's page
    app.include_router(health.router)
    app.include_router(push_routes.router)  # Web Push: /push-worker.js, /api/chat/push
    app.include_router(unsubscribe.router)  # the link in "a Parent Champion replied" e-mails
    app.include_router(webhooks.router)
    app.include_router(console_login.router)
    app.include_router(console_admin.router)
    app.include_router(console_presence.router)  # available/away and console heartbeats
    app.include_router(console_idle.router)  # the idle sign-out warning and "Stay signed in"
    app.include_router(typing_routes.router)  # "is typing" between parent and champion
    app.include_router(console_sessions.router)
    app.include_router(console_reports.router)
    app.include_router(console_ratings.router)  # My ratings: a champion's own (issue #18)
    app.include_router(console_content.router)
    app.include_router(console_follow_ups.router)  # "check back with this family"
    app.include_router(console.router)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page(request: Request) -> Response:
        # The greeting is in the HTML, so a slow phone doesn't sit blank (bot/web/greeting.py).
        page = (WEB_DIR / "templates" / "chat.html").read_text(encoding="utf-8")
        services = getattr(request.app.state, "services", None)
        if services is not None:
            page = with_greeting(page, services.content.current)
        return HTMLResponse(page)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # One readable sentence per problem, without echoing the (possibly private) input.
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
            problems.append(f"{where}: {error['msg']}")
        return JSONResponse(status_code=422, content={"detail": problems})

    _add_console_errors(app)
    return app


# Console paths that pages fetch in the background: they get a status, not a page.
_BACKGROUND = ("/events", "/live", "/queue", "/console/session")  # fetched by scripts


def _add_console_errors(app: FastAPI) -> None:
    from bot.web.templating import templates

    def _page(request: Request, status: int, title: str, message: str) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(
            request,
            "console/problem.html",
            {"title": title, "message": message, "who": _member_of(request)},
            status_code=status,
        )

    @app.exception_handler(auth.NotSignedIn)
    async def not_signed_in(request: Request, _exc: auth.NotSignedIn) -> Response:
        if request.method == "GET" and not request.url.path.endswith(_BACKGROUND):
            return RedirectResponse(auth.login_url(request), status_code=303)
        return JSONResponse({"error": "Please sign in again."}, status_code=401)

    @app.exception_handler(auth.NotAllowed)
    async def not_allowed(request: Request, exc: auth.NotAllowed) -> Response:
        return _page(request, 403, "Not available", exc.message)

    @app.exception_handler(auth.BadForm)
    async def bad_form(request: Request, _exc: auth.BadForm) -> Response:
        return _page(
            request,
            403,
            "Please try again",
            "This form had expired or did not come from the console, so nothing was changed. "
            "Go back, reload the page and try again.",
        )


def _member_of(request: Request) -> object | None:
    who = getattr(request.state, "who", None)
    return who.member if who is not None else None
