"""Signing in to and out of the Parent Champion console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.staff import audit
from bot.staff.accounts import find_for_login, password_matches
from bot.staff.sessions import end_session, start_session
from bot.staff.throttle import clear_failures, locked_for, record_failure, throttle_keys
from bot.web import auth
from bot.web.templating import templates

router = APIRouter(prefix="/console")


def _safe_next(target: str | None) -> str:
    # Only paths inside the console: never a redirect to another site.
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


def _login_page(request: Request, status: int = 200, error: str = "", email: str = "") -> Response:
    token = auth.login_csrf_token(request)
    response = templates.TemplateResponse(
        request,
        "console/login.html",
        {
            "csrf_token": token,
            "error": error,
            "email": email,
            "next": _safe_next(request.query_params.get("next")),
        },
        status_code=status,
    )
    auth.set_cookie(request, response, auth.LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")[:1000]
    if not auth.login_form_is_ours(request, form):
        return _login_page(request, 403, "This form had expired. Please try again.", email)
    services = request.app.state.services
    client = request.client.host if request.client else "unknown"
    keys = throttle_keys(email, client)
    async with services.database.transaction() as transaction:
        wait = await transaction.run(locked_for, keys)
        if wait:
            minutes = max(1, (wait + 59) // 60)
            return _login_page(
                request,
                429,
                f"Too many failed attempts. Please wait {minutes} minute"
                f"{'s' if minutes != 1 else ''} and try again.",
                email,
            )
        member, password_hash = await transaction.run(find_for_login, email)
        if member is None or not password_matches(password_hash, password):
            await transaction.run(record_failure, keys)
            failed = True
        else:
            failed = False
            await transaction.run(clear_failures, keys)
            token, _csrf = await transaction.run(start_session, member.id)
            await transaction.run(audit.record, member, "sign_in")
    if failed:
        # Committed above, so the failure counts even though this is an error page.
        return _login_page(request, 401, "That e-mail address or password is not right.", email)
    response = RedirectResponse(_safe_next(str(form.get("next") or "")), status_code=303)
    # A fresh token on every sign-in: a cookie planted before sign-in is useless.
    auth.set_cookie(request, response, auth.SESSION_COOKIE, token)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = await auth.signed_in(request)
    await auth.checked_form(request, who)
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    async with request.app.state.services.database.transaction() as transaction:
        await transaction.run(end_session, token)
    response = RedirectResponse("/console/login", status_code=303)
    auth.clear_session_cookie(response)
    return response
