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

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from bot.channels.webchat import CHANNEL
from bot.channels.webchat_secrets import bearer_token, matches
from bot.core.types import Reply
from bot.plan.intake import problem_words, read_in_thread, waiting_for_plan
from bot.plan.reading import MAX_UPLOAD_BYTES
from bot.services import Services
from bot.store.web_sessions import session_access
from bot.web.chat_access import NO_STORE, WEB_CHAT, admit, not_yours

router = APIRouter()

UPLOAD_PATH = "/api/chat/upload"
# The file's own limit, plus room for the multipart framing and the other fields.
UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + 256 * 1024


def _services(request: Request) -> Services:
    return request.app.state.services


@dataclass(frozen=True, slots=True)
class ReadUpload:
    """A multipart plan upload, read: the plan's text, or the problem and its status
    (401 for a session that is not the sender's)."""

    session: str = ""
    text: str | None = None
    message_id: str | None = None
    problem: str | None = None
    status: int = 200


async def read_plan_form(
    request: Request, services: Services, token: str, session: str | None = None
) -> ReadUpload:
    """The form's `file` as the plan's text, for the session `token` opens: `session`
    as the no-JavaScript page's cookie holds it, else the form's `session` field."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > UPLOAD_REQUEST_BYTES:
        return ReadUpload(problem="too_large", status=413)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:
        return ReadUpload(problem="unreadable", status=400)
    try:
        session = session or form.get("session")  # type: ignore[assignment]
        message_id = form.get("message_id")
        file = form.get("file")
        if not isinstance(session, str) or (
            message_id is not None and not isinstance(message_id, str)
        ):
            return ReadUpload(status=401)
        access = await services.database.read(session_access, CHANNEL, WEB_CHAT.chat_id(session))
        if access is None or not matches(token, access.token_hash):
            return ReadUpload(status=401)
        if not await waiting_for_plan(services, CHANNEL, WEB_CHAT.chat_id(session)):
            # Uploaded from elsewhere in the chat: ask for "Check my draft plan" first.
            return ReadUpload(session, problem="not_waiting", status=409)
        if not isinstance(file, UploadFile) or not (file.filename or file.size):
            return ReadUpload(session, problem="no_file", status=400)
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        filename = file.filename or ""
    finally:
        await form.close()
    text, problem = await read_in_thread(filename, data)
    del data
    if problem is not None or text is None:
        status = 413 if problem == "too_large" else 422
        return ReadUpload(session, problem=problem or "unreadable", status=status)
    return ReadUpload(session, text, message_id)


@router.post(UPLOAD_PATH, response_model_exclude_none=True)
async def upload(request: Request) -> Response:
    from bot.web.chat_api import ChatRequest, answer_admitted

    services = _services(request)
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return not_yours(services)
    read = await read_plan_form(request, services, token)
    if read.status == 401:
        return not_yours(services)
    if read.problem is not None:
        return _problem(services, read.problem, read.status)
    try:
        body = ChatRequest(session=read.session, text=read.text, message_id=read.message_id)
    except ValidationError:
        return not_yours(services)
    admitted = await admit(services, body, request)
    if isinstance(admitted, JSONResponse):
        return admitted
    return await answer_admitted(services, body, admitted)


def _problem(services: Services, problem: str, status: int) -> JSONResponse:
    return JSONResponse(
        {"replies": [Reply(problem_words(services, problem)).to_json()]},
        status_code=status,
        headers=NO_STORE,
    )
