"""Security headers on every response (pure ASGI, so streams pass straight through).

- Content-Security-Policy: our pages load scripts, styles, images and fonts only
  from this origin, with no inline script, `eval` or plugins, and may be framed by
  nobody but the sites allowed to show the embedded chat, and only /embed
  (see `frame_ancestors`).
- Referrer-Policy: no-referrer. Links out (gov.uk, IPSEA) reveal nothing of where
  a parent was, and a one-time link never leaks through a Referer header.
- X-Content-Type-Options: nosniff, so a download is never run as a script or page.
- Strict-Transport-Security only when the request came over HTTPS (directly or
  through a proxy in TRUSTED_PROXIES): sent over plain HTTP it would be ignored,
  and sent on a developer's http://127.0.0.1 it would be wrong.

A header the route already set is left alone, so a page that needs a different
policy can say so itself.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.client import is_https
from bot.web.embed_origins import NO_FRAMING, EmbedOrigins

# The one page others may frame (bot/web/embed.py).
EMBED_PATH = "/embed"

# One year; browsers accept HSTS preload lists from 1 year up.
HSTS = "max-age=31536000"


def frame_ancestors(connection: HTTPConnection) -> str:
    """Who may put this page in a frame: nobody, except the embedded chat (/embed),
    which the sites in EMBED_ALLOWED_ORIGINS may frame (see bot/web/embed_origins.py
    for why its `origin=` may narrow that to one site)."""
    if connection.url.path != EMBED_PATH:
        return NO_FRAMING
    allowed: EmbedOrigins | None = getattr(connection.app.state, "embed_origins", None)
    if not allowed:
        return NO_FRAMING
    return allowed.frame_ancestors(connection.query_params.get("origin"))


def content_security_policy(connection: HTTPConnection) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            # The reports page draws its bars with a computed width in a style
            # attribute; style attributes cannot run script.
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors(connection)}",
        )
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        extra = {
            b"content-security-policy": content_security_policy(connection).encode(),
            b"referrer-policy": b"no-referrer",
            b"x-content-type-options": b"nosniff",
        }
        if frame_ancestors(connection) == NO_FRAMING:
            extra[b"x-frame-options"] = b"DENY"  # for browsers without CSP level 2
        if is_https(connection):
            extra[b"strict-transport-security"] = HSTS.encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in extra.items() if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
