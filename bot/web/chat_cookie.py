"""The no-JavaScript chat's cookie: its session id and secret, for that page alone.

The page with JavaScript keeps its secret in the browser's storage and sends it as
`Authorization: Bearer`; a browser without JavaScript can only carry a cookie. The
cookie is HttpOnly and SameSite=Strict (another site's form cannot post with it),
named `__Host-` over HTTPS, and sent for the whole host, so the form's document links
work too. When a request carries both, the header wins (bot/web/chat_access.py).
"""

from __future__ import annotations

import dataclasses
import re

from fastapi import Request, Response

from bot.web.auth import cookie_name, secure_cookies

BASE_NAME = "champion_chat"
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


@dataclasses.dataclass(frozen=True, slots=True)
class HeldChat:
    session: str
    token: str


def held_chat(request: Request) -> HeldChat | None:
    """The session and secret the cookie holds, if it is well formed."""
    value = request.cookies.get(cookie_name(request, BASE_NAME)) or ""
    session, _, token = value.partition(".")
    if not _SESSION.match(session) or not _TOKEN.match(token):
        return None
    return HeldChat(session, token)


def hold_chat(request: Request, response: Response, session: str, token: str) -> None:
    response.set_cookie(
        cookie_name(request, BASE_NAME),
        f"{session}.{token}",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/",  # `__Host-` requires it; document links need it
    )


def forget_chat(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookie_name(request, BASE_NAME),
        path="/",
        secure=secure_cookies(request),
        httponly=True,
        samesite="strict",
    )
