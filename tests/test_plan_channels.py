"""The draft-plan check on every channel (issue #19): a plan sent as a WhatsApp
document is fetched from the Cloud API and checked; a file that can't be read gets its
own message and the chat keeps waiting for the plan; a long pasted plan is never cut
without saying so."""

from __future__ import annotations

import html
import json

import httpx

from bot.config import Settings
from tests.chat import Parent
from tests.fakes.whatsapp_graph import fixture, signature
from tests.plan_files import SECTION_F, plan_docx, plan_pdf
from tests.test_whatsapp import WhatsAppParent, choices, whatsapp_app

VAGUE_ONE = SECTION_F[0]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def _send_document(
    parent: WhatsAppParent, media_id: str, filename: str, mime_type: str
) -> None:
    body = fixture(
        "document",
        wa_id=parent.wa_id,
        message_id=f"wamid.doc.{media_id}.{len(parent.received())}",
        media_id=media_id,
        filename=filename,
        mime_type=mime_type,
    )
    response = await parent.client.post(
        "/whatsapp/webhook", content=body, headers={"X-Hub-Signature-256": signature(body)}
    )
    assert response.status_code == 200  # whatever happened, Meta must not resend it


async def _at_plan_question(parent: WhatsAppParent) -> None:
    await parent.say("hi")
    privacy = await parent.expect("OK, let's start")
    await parent.press(choices(privacy)["OK, let's start"], "OK, let's start")
    await parent.expect("What would you like help with?")
    await parent.say("check my draft plan")
    await parent.expect("paste the text of Section F")


async def test_a_plan_sent_as_a_whatsapp_document_is_checked(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900101")
        await _at_plan_question(parent)
        await _send_document(parent, fake.add_media(plan_docx(), DOCX), "draft plan.docx", DOCX)
        found = await parent.expect("not clear enough")
        text = json.dumps(found)
        assert VAGUE_ONE in text and "paediatrician" not in text  # Section F only


async def test_whatsapp_files_that_cannot_be_read_each_get_their_message(
    settings: Settings,
) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900102")
        await _at_plan_question(parent)
        big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10)
        # Too big, as the Graph API says: the bytes are never fetched.
        said_big = fake.add_media(big, "application/pdf")
        await _send_document(parent, said_big, "plan.pdf", "application/pdf")
        await parent.expect("bigger than 10 MB")
        assert said_big not in fake.media_fetches
        # Too big, found while downloading (no file_size in the answer).
        fake.say_file_size = False
        await _send_document(
            parent, fake.add_media(big, "application/pdf"), "plan.pdf", "application/pdf"
        )
        await parent.expect("bigger than 10 MB")
        fake.say_file_size = True
        # The media id has expired: the download fails.
        gone = fake.add_media(plan_pdf(), "application/pdf")
        fake.media_gone.add(gone)
        await _send_document(parent, gone, "plan.pdf", "application/pdf")
        await parent.expect("couldn't fetch that file")
        # A locked PDF and a picture sent as a document.
        locked = fake.add_media(plan_pdf(encrypt="secret"), "application/pdf")
        await _send_document(parent, locked, "plan.pdf", "application/pdf")
        await parent.expect("locked with a password")
        photo = fake.add_media(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        await _send_document(parent, photo, "plan.png", "image/png")
        await parent.expect("looks like a picture")
        # Nothing was lost: the chat still waits for the plan, and reads the next one.
        await _send_document(parent, fake.add_media(plan_pdf(), "application/pdf"), "", "")
        found = await parent.expect("not clear enough")
        assert VAGUE_ONE in json.dumps(found)


async def test_the_whatsapp_token_is_never_sent_to_a_plain_http_media_address(
    settings: Settings,
) -> None:
    """Review finding (#17): the download sent the access token to whatever url the
    media API gave, even http://. The same server under another name stands in for
    someone else's: a plain http:// address that isn't the configured API server."""
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900104")
        await _at_plan_question(parent)
        fake.media_url_base = fake.url.replace("127.0.0.1", "localhost")
        elsewhere = fake.add_media(plan_pdf(), "application/pdf")
        await _send_document(parent, elsewhere, "plan.pdf", "application/pdf")
        await parent.expect("couldn't fetch that file safely")
        assert elsewhere not in fake.media_fetches
        # The chat still waits for the plan, and reads one from the API's own address.
        fake.media_url_base = ""
        await _send_document(parent, fake.add_media(plan_pdf(), "application/pdf"), "", "")
        found = await parent.expect("not clear enough")
        assert VAGUE_ONE in json.dumps(found)


async def test_a_whatsapp_document_away_from_the_plan_question_is_not_fetched(
    settings: Settings,
) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900103")
        await parent.say("hi")
        await parent.expect("OK, let's start")
        media_id = fake.add_media(plan_pdf(), "application/pdf")
        await _send_document(parent, media_id, "plan.pdf", "application/pdf")
        await parent.expect("I can only read typed messages")
        assert fake.media_fetches == []


# -- long pasted plans (the web chat) -------------------------------------------

# A Section F longer than a message may be: specific sentences first, the vague
# one last, past the 4,000th character.
LONG_SECTION_F = "\n".join(
    [SECTION_F[2]] * 50 + ["Sam would benefit from regular opportunities to practise turn-taking."]
)


async def _web_at_plan_question(parent: Parent) -> None:
    await parent.at_main_menu()
    await parent.say("can you check section F of my son's draft plan")
    assert "paste the text of Section F" in parent.text


async def test_a_long_pasted_section_f_is_read_to_the_end(client: httpx.AsyncClient) -> None:
    assert len(LONG_SECTION_F) > 4000
    parent = Parent(client)
    await _web_at_plan_question(parent)
    await parent.say(LONG_SECTION_F)
    assert "practise turn-taking" in parent.text  # the sentence past 4,000 characters
    assert "read the first part" not in parent.text


async def test_a_long_message_elsewhere_is_cut_and_says_so(client: httpx.AsyncClient) -> None:
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("Can you explain how EHC plans work for my son? " * 120)
    assert "I've read the first part of it" in parent.text


async def test_a_crisis_late_in_a_long_pasted_plan_is_still_caught(
    client: httpx.AsyncClient,
) -> None:
    from tests.test_crisis_in_conversation import assert_crisis_message

    parent = Parent(client)
    await _web_at_plan_question(parent)
    await parent.say(LONG_SECTION_F + "\nTonight he told me he wants to kill himself.")
    assert_crisis_message(parent.replies)


async def test_telegram_files_that_cannot_be_read_leave_the_chat_waiting(
    settings: Settings,
) -> None:
    from tests.test_telegram import TelegramParent, telegram_app

    async with telegram_app(settings) as (_app, fake):
        parent = TelegramParent(fake, 4712)
        parent.say("/start")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("check my draft plan")
        await parent.expect("paste the text of Section F")
        fake.add_document(parent.chat_id, "big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
        await parent.expect("bigger than 10 MB")
        assert not any(c["method"] == "getFile" for c in fake.sent)  # never downloaded
        fake.fail_next("getFile")
        fake.add_document(parent.chat_id, "plan.pdf", plan_pdf())
        await parent.expect("couldn't fetch that file")
        fake.add_document(parent.chat_id, "locked.pdf", plan_pdf(encrypt="secret"))
        await parent.expect("locked with a password")
        fake.add_document(parent.chat_id, "plan.pdf", plan_pdf())
        found = await parent.expect("not clear enough")
        assert VAGUE_ONE in found["text"]


# -- the no-JavaScript page -------------------------------------------------------


async def test_without_javascript_a_plan_form_appears_and_reads_the_file(
    client: httpx.AsyncClient,
) -> None:
    from tests.test_chat_without_javascript import FormParent

    parent = FormParent(client)
    await parent.say("hello")
    await parent.press("OK, let's start")
    assert "Upload your plan" not in parent.page  # only while a plan is awaited
    await parent.say("check my draft plan")
    assert "paste the text of Section F" in parent.page
    assert 'enctype="multipart/form-data"' in parent.page
    assert 'maxlength="100000"' in parent.page
    # A file that can't be read: its words, and the form is still there.
    locked = await client.post(
        "/plan-upload",
        files={"file": ("locked.pdf", plan_pdf(encrypt="secret"), "application/pdf")},
    )
    assert locked.status_code == 422
    assert "locked with a password" in locked.text and "Upload your plan" in locked.text
    # The plan itself, as a .docx.
    read = await client.post("/plan-upload", files={"file": ("plan.docx", plan_docx(), DOCX)})
    assert read.status_code == 200
    page = html.unescape(read.text)
    assert "not clear enough" in page and VAGUE_ONE in page
    assert "Upload your plan" not in page  # answered: the conversation moved on


async def test_without_javascript_a_long_pasted_plan_is_read_to_the_end(
    client: httpx.AsyncClient,
) -> None:
    from tests.test_chat_without_javascript import FormParent

    parent = FormParent(client)
    await parent.say("hello")
    await parent.press("OK, let's start")
    await parent.say("check my draft plan")
    await parent.say(LONG_SECTION_F)
    assert "practise turn-taking" in parent.page
    assert "read the first part" not in parent.page


async def test_without_javascript_a_plan_upload_needs_the_chat_cookie(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.post("/plan-upload", files={"file": ("plan.docx", plan_docx(), DOCX)})
    assert refused.status_code == 401
    assert "Upload your plan" not in refused.text
