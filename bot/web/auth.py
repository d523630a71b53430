"""Who is signed in to the console, and proof that a form came from our own page.

- Session: an HttpOnly, SameSite=Strict cookie with a random token; the server
  keeps only its hash (bot/staff/sessions.py).
- CSRF: every console form carries the session's token in a hidden field; the
  sign-in form, before any session exists, uses a double-submit cookie instead.
- Permissions: `signed_in` for any champion, `admin_only` for admins; both are
  checked on every request, never only when a page is first opened.
"""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from bot.staff.sessions import SignedIn, resume_session, session_holder
from bot.web.client import is_https

# Base names; over HTTPS (or with COOKIE_SECURE) they carry the `__Host-` prefix, which
# browsers accept only from a secure origin, for the whole host, never a domain: so
# neither a sibling subdomain nor a plain-HTTP attacker can plant or overwrite them.
SESSION_COOKIE = "champion_console"
LOGIN_CSRF_COOKIE = "champion_login_csrf"
HOST_PREFIX = "__Host-"
CSRF_FIELD = "csrf_token"


class NotSignedIn(Exception):
    """Raised by `signed_in`; the app answers with the sign-in page or 401."""


class NotAllowed(Exception):
    """Raised when someone signed in may not see or do this; the app answers 403."""

    def __init__(self, message: str = "You don't have access to this page.") -> None:
        super().__init__(message)
        self.message = message


class BadForm(Exception):
    """A form without a valid CSRF token; the app answers 403 with a way forward."""


async def signed_in(request: Request) -> SignedIn:
    """The signed-in champion or admin (a FastAPI dependency)."""
    return await _resume(request, touch=True)


async def still_signed_in(request: Request) -> SignedIn:
    """`signed_in` for background heartbeats: does not count as using the console."""
    return await _resume(request, touch=False)


async def still_the_same(request: Request, who: SignedIn) -> bool:
    """For a long-lived event stream: whether the session it opened with still stands,
    for the same person with the same reach (signed out, idle, deactivated, made admin
    or given other areas all end it; the page's reconnect then starts afresh). Database
    trouble is raised, not taken as an answer."""
    held = _session_cookie(request)
    if held is None:
        return False
    now = await request.app.state.services.database.read(session_holder, *held)
    if now is None:
        return False
    member, was = now.member, who.member
    return (member.id, member.is_admin, member.areas) == (was.id, was.is_admin, was.areas)


def _session_cookie(request: Request) -> tuple[str, dt.timedelta] | None:
    """The session cookie's token (if it could be one) and the idle timeout to check it by."""
    token = read_cookie(request, SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    minutes = request.app.state.services.settings.console_idle_minutes
    return token, dt.timedelta(minutes=minutes)


async def _resume(request: Request, touch: bool) -> SignedIn:
    held = _session_cookie(request)
    if held is None:
        raise NotSignedIn()
    token, idle = held
    async with request.app.state.services.database.transaction() as transaction:
        who = await transaction.run(resume_session, token, idle, None, touch)
    if who is None:
        raise NotSignedIn()
    request.state.who = who
    return who


async def admin_only(request: Request) -> SignedIn:
    who = await signed_in(request)
    if not who.member.is_admin:
        raise NotAllowed("This page is for admins.")
    return who


async def checked_form(request: Request, who: SignedIn) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD) or "")
    if not secrets.compare_digest(sent.encode(), who.csrf_token.encode()):
        raise BadForm()
    return form


def login_csrf_token(request: Request) -> str:
    return read_cookie(request, LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def login_form_is_ours(request: Request, form: FormData) -> bool:
    cookie = read_cookie(request, LOGIN_CSRF_COOKIE) or ""
    sent = str(form.get(CSRF_FIELD) or "")
    return bool(cookie) and secrets.compare_digest(sent.encode(), cookie.encode())


def secure_cookies(request: Request) -> bool:
    """Secure cookies: COOKIE_SECURE (on by default off loopback), or HTTPS now."""
    return request.app.state.services.settings.secure_cookies or is_https(request)


def cookie_name(request: Request, base: str) -> str:
    return HOST_PREFIX + base if secure_cookies(request) else base


def _cookie_path(request: Request) -> str:
    # `__Host-` cookies must have Path=/; plain ones stay within the console.
    return "/" if secure_cookies(request) else "/console"


def read_cookie(request: Request, base: str) -> str | None:
    return request.cookies.get(cookie_name(request, base))


def set_cookie(request: Request, response: Response, base: str, value: str) -> None:
    secure = secure_cookies(request)
    response.set_cookie(
        cookie_name(request, base),
        value,
        httponly=True,
        samesite="strict",
        secure=secure,
        path=_cookie_path(request),
    )


def delete_cookie(request: Request, response: Response, base: str) -> None:
    secure = secure_cookies(request)
    response.delete_cookie(
        cookie_name(request, base),
        path=_cookie_path(request),
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    delete_cookie(request, response, SESSION_COOKIE)


def login_url(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += f"?{request.url.query}"
    return f"/console/login?next={quote(target, safe='')}"
