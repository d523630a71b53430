"""The admin editor: flows and knowledge in the browser, as drafts until published.

Every save is checked exactly as `python -m bot check` checks files, with each
problem shown beside its line; publishing refuses while any problem remains, so
nothing invalid ever reaches parents. Publishing makes a release (who, when, a
note); history shows each release's changes and can roll back to any of them.
Every `serve` process loads a new release within seconds (bot/scheduler.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import hashlib
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.check import ContentCheck
from bot.content import releases as store
from bot.content.loading import check_files, load_files
from bot.core.content import ContentHolder
from bot.core.dispatcher import Dispatcher
from bot.core.runner import FlowRunner
from bot.core.types import PREVIEW_CHANNEL
from bot.services import Services, follow_published
from bot.staff import audit
from bot.staff.sessions import SignedIn
from bot.web import auth
from bot.web.chat_access import NO_STORE, ChatPlace, admit, to_inbound
from bot.web.chat_api import ChatRequest, chat_response
from bot.web.ids import RowId
from bot.web.templating import templates

router = APIRouter(prefix="/console/content")
Admin = Annotated[SignedIn, Depends(auth.admin_only)]
_LINE = re.compile(r"^(?P<path>[\w./-]+):(?P<line>\d+): (?P<message>.*)$")


def _services(request: Request) -> Services:
    return request.app.state.services


async def _state(request: Request) -> tuple[store.Release, dict[str, str | None]]:
    database = _services(request).database
    release = await database.read(store.latest_release)
    assert release is not None  # the first start always makes release 1
    return release, await database.read(store.current_drafts)


def _problems_by_file(errors: list[str], warnings: list[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for kind, lines in (("error", errors), ("warning", warnings)):
        for line in lines:
            match = _LINE.match(line.removeprefix("warning: "))
            path = match.group("path") if match else ""
            found.setdefault(path, []).append(
                {
                    "kind": kind,
                    "line": int(match.group("line")) if match else None,
                    "message": match.group("message").removeprefix("warning: ") if match else line,
                    "text": line,
                }
            )
    return found


def _sources_to_check(checked: ContentCheck) -> list[dict[str, str]]:
    """Sources never verified or verified over 12 months ago, oldest first: what an
    admin should check against the page next."""
    today = dt.date.today()
    rows = [
        {
            "article": use.article_id,
            "file": use.file,
            "line": str(use.line),
            "answer": use.answer_id or "",
            "source": use.source.title + (f", {use.source.section}" if use.source.section else ""),
            "url": str(use.source.url),
            "verified": use.verified.isoformat() if use.verified else "never",
        }
        for use in checked.sources
        if use.stale(today)
    ]
    return sorted(rows, key=lambda r: "" if r["verified"] == "never" else r["verified"])


@router.get("")
async def content_index(request: Request, who: Admin) -> Response:
    release, drafts = await _state(request)
    merged = store.with_drafts(release.files, drafts)
    actions = _services(request).actions
    # Checking all content takes a while: off the event loop, so parents aren't kept waiting.
    checked = await asyncio.to_thread(check_files, merged if drafts else release.files, actions)
    query = request.query_params.get("q", "").strip().casefold()
    paths = sorted(
        p for p in merged if not query or query in p.casefold() or query in merged[p].casefold()
    )
    stale = [w for w in checked.warnings if "due for review" in w]
    return templates.TemplateResponse(
        request,
        "console/content.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "paths": paths,
            "drafts": drafts,
            "release": release,
            "errors": checked.errors,
            "stale": stale,
            "unverified": _sources_to_check(checked),
            "sources_total": checked.sources_total,
            "query": request.query_params.get("q", ""),
            "notice": request.query_params.get("done", ""),
        },
    )


async def _edit_page(
    request: Request,
    who: SignedIn,
    path: str,
    body: str | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    release, drafts = await _state(request)
    merged = store.with_drafts(release.files, drafts)
    text = body if body is not None else merged.get(path, drafts.get(path) or "")
    checked = await asyncio.to_thread(
        check_files, store.with_drafts(merged, {path: text}), _services(request).actions
    )
    problems = _problems_by_file(checked.errors, checked.warnings)
    return templates.TemplateResponse(
        request,
        "console/content_edit.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "path": path,
            "text": text,
            "lines": max(1, text.count("\n") + 1),
            "problems": problems.get(path, []),
            "others": [
                p for f, ps in problems.items() if f != path for p in ps if p["kind"] == "error"
            ],
            "is_draft": path in drafts,
            "is_new": path not in release.files,
            "notice": notice,
        },
        status_code=status,
    )


@router.get("/edit")
async def edit(request: Request, who: Admin) -> Response:
    path = request.query_params.get("path", "")
    if not store.valid_path(path):
        raise auth.NotAllowed("Choose a file under flows/ or knowledge/ ending .yml or .md.")
    return await _edit_page(request, who, path)


@router.post("/edit")
async def save(request: Request, who: Admin) -> Response:
    form = await auth.checked_form(request, who)
    path = str(form.get("path") or "")
    body = str(form.get("body") or "").replace("\r\n", "\n")
    if not store.valid_path(path):
        raise auth.NotAllowed("Choose a file under flows/ or knowledge/ ending .yml or .md.")
    if len(body) > store.MAX_FILE_CHARS:
        return await _edit_page(request, who, path, body, 400, "That file is too long to save.")
    async with _services(request).database.transaction() as transaction:
        await transaction.run(store.save_draft, path, body, who.member.email)
    # The draft is kept even with problems, so no work is lost; publishing waits.
    return await _edit_page(
        request, who, path, notice="Saved as a draft. Parents still see the published version."
    )


@router.post("/discard")
async def discard(request: Request, who: Admin) -> Response:
    form = await auth.checked_form(request, who)
    async with _services(request).database.transaction() as transaction:
        await transaction.run(store.discard_draft, str(form.get("path") or ""))
    return RedirectResponse("/console/content?done=discarded", status_code=303)


async def _publish_files(
    request: Request, who: SignedIn, files: dict[str, str], note: str, action: str
) -> int:
    services = _services(request)
    async with services.database.transaction() as transaction:
        release_id = await transaction.run(store.add_release, files, who.member.email, note)
        await transaction.run(store.clear_drafts)
        await transaction.run(store.forget_previews, PREVIEW_CHANNEL)
        await transaction.run(
            audit.record, who.member, action, None, f"release {release_id}: {note}"[:200]
        )
    await follow_published(services)  # this process at once; the others within seconds
    return release_id


@router.post("/publish")
async def publish(request: Request, who: Admin) -> Response:
    form = await auth.checked_form(request, who)
    note = str(form.get("note") or "").strip()[:300]
    release, drafts = await _state(request)
    if not drafts:
        return RedirectResponse("/console/content?done=nothing", status_code=303)
    merged = store.with_drafts(release.files, drafts)
    checked = await asyncio.to_thread(check_files, merged, _services(request).actions)
    if checked.errors or not note:
        problem = "Say in a few words what changed." if not note else "Fix these problems first:"
        return templates.TemplateResponse(
            request,
            "console/problem.html",
            {
                "title": "Not published",
                "message": problem + " " + " ".join(checked.errors[:20]),
                "who": who.member,
                "csrf_token": who.csrf_token,
            },
            status_code=400,
        )
    release_id = await _publish_files(request, who, merged, note, "publish")
    return RedirectResponse(
        f"/console/content/releases/{release_id}?done=published", status_code=303
    )


@router.get("/history")
async def history(request: Request, who: Admin) -> Response:
    lines = await _services(request).database.read(store.release_history)
    return templates.TemplateResponse(
        request,
        "console/content_history.html",
        {"who": who.member, "csrf_token": who.csrf_token, "releases": lines},
    )


@router.get("/releases/{release_id}")
async def release_page(request: Request, release_id: RowId, who: Admin) -> Response:
    database = _services(request).database
    release = await database.read(store.get_release, release_id)
    if release is None:
        raise auth.NotAllowed("There is no such release.")
    before = await database.read(store.previous_release, release_id)
    old = before.files if before else {}
    changes = []
    for path in sorted(set(old) | set(release.files)):
        if old.get(path) != release.files.get(path):
            diff = difflib.unified_diff(
                (old.get(path) or "").splitlines(),
                (release.files.get(path) or "").splitlines(),
                fromfile=f"{path} (release {before.id if before else 0})",
                tofile=f"{path} (release {release.id})",
                lineterm="",
                n=2,
            )
            changes.append({"path": path, "diff": list(diff)})
    return templates.TemplateResponse(
        request,
        "console/content_release.html",
        {
            "who": who.member,
            "csrf_token": who.csrf_token,
            "release": release,
            "before": before,
            "changes": changes,
            "serving": _services(request).content.release_id,
            "notice": request.query_params.get("done", ""),
        },
    )


@router.post("/releases/{release_id}/rollback")
async def rollback(request: Request, release_id: RowId, who: Admin) -> Response:
    await auth.checked_form(request, who)
    release = await _services(request).database.read(store.get_release, release_id)
    if release is None:
        raise auth.NotAllowed("There is no such release.")
    new_id = await _publish_files(
        request, who, release.files, f"Rolled back to release {release_id}", "rollback"
    )
    return RedirectResponse(f"/console/content/releases/{new_id}?done=rolled-back", status_code=303)


# -- trying the drafts ---------------------------------------------------------


async def _preview_dispatcher(request: Request) -> Dispatcher:
    services = _services(request)
    release, drafts = await _state(request)
    merged = store.with_drafts(release.files, drafts)
    key = hashlib.sha256(json.dumps(merged, sort_keys=True).encode()).hexdigest()
    cached = getattr(request.app.state, "preview", None)
    if cached is None or cached[0] != key:
        loaded = await asyncio.to_thread(load_files, merged, services.settings, services.actions)
        holder = ContentHolder(loaded.content)
        runner = FlowRunner(holder, services.actions, confident=services.settings.nlu_confident)
        dispatcher = Dispatcher(
            services.database,
            runner,
            holder,
            services.nlu,
            services.settings.max_message_chars,
            None,
            handoffs=False,
            reader=services.reader,
        )
        request.app.state.preview = (key, dispatcher)
        return dispatcher
    return cached[1]


@router.get("/preview")
async def preview_page(request: Request, who: Admin) -> Response:
    from bot.web.app import WEB_DIR

    page = (WEB_DIR / "templates" / "chat.html").read_text(encoding="utf-8")
    banner = (
        '<p class="preview-banner" role="note">Preview of the drafts: parents still see the '
        'published version. <a href="/console/content">Back to the editor</a></p>'
    )
    page = page.replace(
        "<body>", f'<body data-api="/console/content/preview/api" data-stream="off">{banner}', 1
    )
    return HTMLResponse(page)


@router.post("/preview/api")
async def preview_chat(body: ChatRequest, request: Request, who: Admin) -> Response:
    """The drafts, chatted with through the web chat's own contract (a secret issued
    with the first reply, then a Bearer header); each admin's sessions are their own."""
    services = _services(request)
    place = ChatPlace(PREVIEW_CHANNEL, scope=f"{who.member.id}-")
    dispatcher = await _preview_dispatcher(request)
    admitted = await admit(services, body, request, place, dispatcher)
    if isinstance(admitted, Response):
        return admitted
    replies = await dispatcher.handle(to_inbound(admitted, body, place), admitted.reading)
    # Files (letters, calendar entries) are not made in the preview.
    out = [{k: v for k, v in r.to_json().items() if k != "document"} for r in replies]
    return chat_response(out, admitted)


@router.get("/preview/api/history")
async def preview_history(request: Request, who: Admin) -> Response:
    # A preview starts afresh each time the page is opened.
    return JSONResponse({"messages": []}, headers=NO_STORE)
