"""The chat on a council's own Local Offer page (issue #17).

A council adds one line to its page:

    <script src="https://champion.example.org/widget.js" data-council="Leeds" async></script>

- `GET /widget.js` (static/widget.js) draws a launcher button that opens the chat in
  an iframe: `GET /embed`, the chat page itself with the council's title and colour.
- `GET /embed/check` tells the widget whether its `data-council` is one we know and
  whether its site may frame the chat, so a web editor sees a warning in the
  browser console rather than a chat that quietly asks for the council.

Who may frame `/embed` and preset which council: bot/web/embed_origins.py (the CSP
header itself is written by bot/web/security_headers.py). The chat in the frame keeps
its secret in the frame's own (partitioned) storage and sends it as a header, so it
works where third-party cookies are blocked.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from bot.services import Services
from bot.web.embed_colours import clean_colour, text_colour_on
from bot.web.embed_council import find_council, same_council
from bot.web.embed_origins import EmbedOrigins
from bot.web.greeting import with_greeting
from bot.web.security_headers import EMBED_PATH

router = APIRouter()
WEB_DIR = Path(__file__).parent

WIDGET_FILE = "widget.js"
# Longer titles are cut: the frame's header has room for a line or two.
MAX_TITLE_CHARS = 60
DEFAULT_TITLE = "Champion"
# Query values are cut to these before anything else looks at them. (`origin=` is
# not cut: EmbedOrigins.claimed reads it, for this page and its CSP header alike.)
MAX_COUNCIL_CHARS = 80


def embed_origins(request: Request) -> EmbedOrigins:
    """The allowed origins (EMBED_ALLOWED_ORIGINS), read once when the app was made."""
    return getattr(request.app.state, "embed_origins", None) or EmbedOrigins()


def _services(request: Request) -> Services | None:
    return getattr(request.app.state, "services", None)


def clean_title(value: str | None) -> str:
    """One line of at most MAX_TITLE_CHARS, or the default."""
    words = " ".join((value or "").split())
    if len(words) > MAX_TITLE_CHARS:
        words = words[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return words or DEFAULT_TITLE


def preset_council(request: Request, council: str | None, origin: str | None) -> str | None:
    """The council this frame may preset, or None (unknown, or not this site's)."""
    services = _services(request)
    if services is None or not council:
        return None
    found = find_council(services, council[:MAX_COUNCIL_CHARS])
    if found is None:
        return None
    origins = embed_origins(request)
    same = lambda first, second: same_council(services, first, second)  # noqa: E731
    return found.name if origins.may_preset(origin, found.name, same) else None


@router.get(EMBED_PATH, include_in_schema=False)
async def embed_page(
    request: Request,
    council: Annotated[str | None, Query()] = None,
    origin: Annotated[str | None, Query()] = None,
    colour: Annotated[str | None, Query()] = None,
    title: Annotated[str | None, Query()] = None,
) -> Response:
    page = embedded_chat_page(
        request,
        host=embed_origins(request).claimed(origin),
        council=preset_council(request, council, origin),
        colour=clean_colour((colour or "")[:20]),
        title=clean_title((title or "")[:1000]),
    )
    return HTMLResponse(page)


def embedded_chat_page(
    request: Request, host: str | None, council: str | None, colour: str | None, title: str
) -> str:
    """The chat page (templates/chat.html), so the frame has every feature the page
    has, with the council's title and colour and its council for the first message.
    `host` is the council's origin, when frame-ancestors names it alone: the only
    page static/embed_storage.js will hand the chat's session to."""
    page = (WEB_DIR / "templates" / "chat.html").read_text(encoding="utf-8")
    services = _services(request)
    if services is not None:
        page = with_greeting(page, services.content.current)
    attributes = ['class="embedded"']
    if host is not None:
        attributes.append(f'data-host="{html.escape(host)}"')
    if council is not None:
        attributes.append(f'data-council="{html.escape(council)}"')
    if colour is not None:
        # A style attribute, which the CSP allows (style-src-attr); no inline <style>.
        attributes.append(f'style="--brand: {colour}; --brand-ink: {text_colour_on(colour)}"')
    shown = html.escape(title)
    page = page.replace("<body>", f"<body {' '.join(attributes)}>", 1)
    page = re.sub(r"<title>.*?</title>", f"<title>{shown}</title>", page, count=1)
    page = re.sub(r"<h1>.*?</h1>", f"<h1>{shown}</h1>", page, count=1)
    page = page.replace(
        '<script src="/static/chat.js" defer></script>',
        '<script src="/static/embed_storage.js" defer></script>\n'
        '  <script src="/static/embed_keys.js" defer></script>\n'
        '  <script src="/static/chat.js" defer></script>',
        1,
    )
    return page.replace(
        '<link rel="stylesheet" href="/static/chat.css">',
        '<link rel="stylesheet" href="/static/chat.css">\n'
        '  <link rel="stylesheet" href="/static/embed.css">',
        1,
    )


@router.get(EMBED_PATH + "/check", include_in_schema=False)
async def embed_check(
    request: Request,
    council: Annotated[str | None, Query()] = None,
    origin: Annotated[str | None, Query()] = None,
) -> Response:
    """For widget.js's console warnings: is the council known, may this site frame
    the chat, and will the council be preset. Public facts, so any site may ask."""
    services = _services(request)
    found = find_council(services, (council or "")[:MAX_COUNCIL_CHARS]) if services else None
    body = {
        "council": found.name if found is not None else None,
        "framing": embed_origins(request).allows(origin),
        "preset": preset_council(request, council, origin) is not None,
    }
    return JSONResponse(body, headers={"Access-Control-Allow-Origin": "*"})


@router.get("/" + WIDGET_FILE, include_in_schema=False)
async def widget_script() -> Response:
    return FileResponse(
        WEB_DIR / "static" / WIDGET_FILE,
        media_type="text/javascript; charset=utf-8",
        headers={
            # Councils' pages pick up a fix within the hour.
            "Cache-Control": "public, max-age=3600",
            # Loadable by a council page that isolates itself (COEP require-corp).
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
