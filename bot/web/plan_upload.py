"""`POST /api/chat/upload`: a draft EHC plan sent as a file from the web chat.

Multipart with `session` (the web chat's session id), `file` and optionally
`message_id`; the same `Authorization: Bearer <secret>` as `POST /api/chat`, and only
for a session that already exists (an upload never starts one). The file is read in
memory into text (bot/plan/reading.py) and then dropped; only Section F (or the whole
text, when no Section F heading is found) goes on into the conversation, as if the
parent had pasted it, so the chat answers it at "Check my draft plan".

Its own size cap: the app's BodySizeLimit lets this path carry UPLOAD_REQUEST_BYTES,
every other route keeps MAX_REQUEST_BYTES. A bad file is answered in the replies
shape with the words from flows/plan_check.yml (`data.problems`).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import bearer_token, matches
from bot.core.types import Reply
from bot.plan.reading import MAX_UPLOAD_BYTES, PlanReadError, read_upload
from bot.plan.section_f import find_section_f, looks_like_a_plan
from bot.services import Services
from bot.store.conversations import position_of
from bot.store.web_sessions import session_access
from bot.web.chat_access import NO_STORE, WEB_CHAT, admit, not_yours, to_inbound

router = APIRouter()

UPLOAD_PATH = "/api/chat/upload"
# The file's own limit, plus room for the multipart framing and the other fields.
UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + 256 * 1024
# Where the conversation must be waiting for a file to be read into it.
WAITING_AT = ("plan_check", "ask_text")
# The most of a plan's text that goes into the conversation (ChatRequest's own cap).
MAX_TEXT_CHARS = 100_000


def _services(request: Request) -> Services:
    return request.app.state.services


@router.post(UPLOAD_PATH, response_model_exclude_none=True)
async def upload(request: Request) -> Response:
    from bot.web.chat_api import ChatRequest, chat_response, document_link

    services = _services(request)
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return not_yours(services)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > UPLOAD_REQUEST_BYTES:
        return _problem(services, "too_large", 413)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:
        return _problem(services, "unreadable", 400)
    try:
        session = form.get("session")
        message_id = form.get("message_id")
        file = form.get("file")
        if not isinstance(session, str) or (
            message_id is not None and not isinstance(message_id, str)
        ):
            return not_yours(services)
        access = await services.database.read(session_access, CHANNEL, WEB_CHAT.chat_id(session))
        if access is None or not matches(token, access.token_hash):
            return not_yours(services)
        chat_id = WEB_CHAT.chat_id(session)
        if await services.database.read(position_of, CHANNEL, chat_id) != WAITING_AT:
            # Uploaded from elsewhere in the chat: ask for "Check my draft plan" first.
            return _problem(services, "not_waiting", 409)
        if not isinstance(file, UploadFile):
            return _problem(services, "no_file", 400)
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        filename = file.filename or ""
    finally:
        await form.close()
    try:
        plan = await asyncio.to_thread(read_upload, filename, data)
    except PlanReadError as refused:
        status = 413 if refused.problem == "too_large" else 422
        return _problem(services, refused.problem, status)
    finally:
        del data
    section = find_section_f(plan.text)
    if not section.found and not looks_like_a_plan(plan.text):
        return _problem(services, "not_a_plan", 422)
    try:
        body = ChatRequest(
            session=session, text=section.text[:MAX_TEXT_CHARS], message_id=message_id
        )
    except ValidationError:
        return not_yours(services)
    admitted = await admit(services, body, request)
    if isinstance(admitted, JSONResponse):
        return admitted
    replies = await services.dispatcher.handle(to_inbound(admitted, body), admitted.reading)
    out = []
    for reply in replies:
        data_out = reply.to_json()
        if reply.document is not None:
            data_out["document"] = {
                "filename": reply.document.filename,
                "url": document_link(reply.document.key),
            }
        out.append(data_out)
    return chat_response(out, admitted)


def _problem(services: Services, problem: str, status: int) -> JSONResponse:
    flow = services.content.current.flows.get("plan_check")
    problems = (flow.data.get("problems", {}) if flow is not None else {}) or {}
    text = problems.get(problem) or services.content.current.system_text("error")
    return JSONResponse(
        {"replies": [Reply(str(text)).to_json()]}, status_code=status, headers=NO_STORE
    )
