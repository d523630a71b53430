"""'My data' as a page a parent can read and print, beside the JSON file, on every
channel; and 'my data' understood however it is typed (issue #17)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config import Settings
from bot.privacy.readable import render_export
from tests.chat import Parent
from tests.test_privacy import triage_with_a_story
from tests.test_telegram import TelegramParent, telegram_app
from tests.test_whatsapp import WhatsAppParent, whatsapp_app

SCRIPT = '<script>alert("hi")</script> My son <b>Sam</b> & his "school" said no'


def _documents(parent: Parent) -> dict[str, dict[str, Any]]:
    return {r["document"]["filename"]: r["document"] for r in parent.replies if "document" in r}


async def test_my_data_comes_as_a_page_too_with_plain_headings_and_escaped_words(
    client,  # type: ignore[no-untyped-def]
) -> None:
    parent = Parent(client)
    await triage_with_a_story(parent)
    await parent.say("menu")
    await parent.say(SCRIPT)
    await parent.say("My Data")
    documents = _documents(parent)
    assert set(documents) == {"my-champion-data.json", "my-champion-data.html"}
    assert "a page you can open, read and print" in parent.text
    link = documents["my-champion-data.html"]["url"]
    assert parent.session not in link and (parent.token or "x") not in link

    response = await parent.download(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert 'filename="my-champion-data.html"' in response.headers["content-disposition"]
    page = response.text
    for heading in (
        "What Champion holds about you",
        "Your answers",
        "Your conversation",
        "Referrals",
        "Drop-in bookings",
        "Saved deadlines and reminders",
        "Letters and files we sent you",
        "Your draft plan check",
    ):
        assert f">{heading}</h" in page, heading
    assert "Exclusion" in page and "Leeds" in page  # the referral and the answers
    # The parent's own words, shown as words: nothing of them runs or formats.
    assert "<script>alert" not in page and "<b>Sam</b>" not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; My son &lt;b&gt;Sam&lt;/b&gt;" in page
    # Self-contained: nothing runs, nothing is loaded, no link leads away.
    assert "<script" not in page.lower() and "<a " not in page and "<link" not in page

    # The JSON copy is still there, and knows which files were sent.
    data = json.loads((await parent.download(documents["my-champion-data.json"]["url"])).content)
    assert any(m["text"] == SCRIPT for m in data["messages"])
    sent = [f["filename"] for f in data["files_sent_to_you"]]
    assert sent == ["my-champion-data.json", "my-champion-data.html"]

    stranger = await client.get(link, headers={"Authorization": "Bearer " + "x" * 43})
    assert stranger.status_code == 401
    nobody = await client.get(link)
    assert nobody.status_code == 401


@pytest.mark.parametrize(
    "typed",
    [
        "my data",
        "My Data",
        "MY DATA",
        "mydata",
        "/mydata",
        "can I see my data",
        "Can I see my data?",
        "what do you keep about me",
        "What do you keep about me?",
        "what data do you hold about me",
        "I want a copy of my data",
        "show me my data please",
    ],
)
async def test_my_data_is_understood_however_it_is_typed(client, typed: str) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say(typed)
    assert "Here is what Champion holds about you" in parent.text, parent.text[:300]
    assert "my-champion-data.html" in _documents(parent)


async def test_a_question_about_sharing_information_is_not_a_request_for_the_data(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("Can the school share my information with social care?")
    assert "Here is what Champion holds about you" not in parent.text


async def test_my_data_in_the_middle_of_a_question_is_still_my_data(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.press("Tell us what's happening")
    assert "How old is your child" in parent.text
    await parent.say("Can I see my data?")
    assert "Here is what Champion holds about you" in parent.text


async def test_telegram_gets_the_page_as_an_html_document(settings: Settings) -> None:
    async with telegram_app(settings) as (_app, fake):
        parent = TelegramParent(fake, 4017)
        parent.say("/start")
        await parent.expect("Hello, I'm Champion")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("<i>my</i> words")
        parent.say("/mydata")
        await fake.wait_for(
            lambda: sum(m["method"] == "sendDocument" for m in fake.messages_to(4017)) >= 2
        )
        files = dict(
            m["files"]["document"] for m in fake.messages_to(4017) if m["method"] == "sendDocument"
        )
        assert set(files) == {"my-champion-data.json", "my-champion-data.html"}
        page = files["my-champion-data.html"].decode()
        assert "&lt;i&gt;my&lt;/i&gt; words" in page and "<i>my</i>" not in page


async def test_whatsapp_gets_the_page_as_an_html_document(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900017")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        await parent.say("agree")
        await parent.say("what do you keep about me")
        await fake.wait_for(lambda: sum(m["type"] == "document" for m in parent.received()) >= 2)
        names = [m["document"]["filename"] for m in parent.received() if m["type"] == "document"]
        assert names == ["my-champion-data.json", "my-champion-data.html"]
        page = next(u for u in fake.uploads if u["type"] == "text/html")
        assert b"What Champion holds about you" in page["body"]


SAMPLE: dict[str, Any] = {
    "about": "Everything Champion holds about you.",
    "other_notes": "Parent Champions may also keep notes that are not shared here.",
    "exported_at": "2026-07-14T23:30:00+00:00",
    "you": [{"channel": "whatsapp", "created_at": "2026-03-01T10:00:00"}],
    "conversation": [
        {
            "flow": "main",
            "node": "menu",
            "variables": {
                "consent": "yes",
                "local_authority": "Leeds",
                "request_date": "2026-06-02",
                "plan_findings": '1. "Sam will have support as needed"',
            },
            "updated_at": "2026-07-14T23:30:00",
        }
    ],
    "messages": [
        {
            "direction": "in",
            "text": "<img src=x onerror=alert(1)>",
            "created_at": "2026-07-14T09:00:00",
        },
        {"direction": "out", "text": "Hello, I'm Champion.", "created_at": "2026-07-14T09:00:01"},
    ],
    "files_sent_to_you": [
        {"filename": "ask-for-assessment.docx", "sent_at": "2026-07-14T09:05:00"}
    ],
    "referrals": [
        {
            "category": "exclusion",
            "urgency": "high",
            "answers": {"child_age": 9},
            "created_at": "2026-07-14T09:10:00",
        }
    ],
    "requests_for_a_parent_champion": [
        {
            "status": "closed",
            "category": "exclusion",
            "urgency": "high",
            "local_authority": "Leeds",
            "summary": "Sent home again",
            "outcome": "advice_given",
            "created_at": "2026-07-14T09:12:00",
            "closed_at": "2026-07-15T10:00:00",
        }
    ],
    "notes_shared_with_you": [
        {"from": "Parent Champion", "text": "Call SENDIASS", "written_at": "2026-07-15T10:00:00"}
    ],
    "bookings": [
        {
            "status": "booked",
            "attended": None,
            "title": "Coffee morning",
            "starts_at": "2026-07-20T09:30:00",
        }
    ],
    "reminders": [
        {
            "kind": "deadline",
            "due_on": "2026-08-01",
            "due_at": "2026-07-25T08:00:00",
            "status": "pending",
        }
    ],
}


def test_the_page_reads_in_uk_time_and_words() -> None:
    page = render_export(SAMPLE)
    assert "15 July 2026, 00:30" in page  # exported 23:30 UTC: already the 15th in London
    assert "Tuesday 2 June 2026" in page  # a saved date, in words
    assert "WhatsApp" in page and "Coffee morning" in page and "Call SENDIASS" in page
    assert "ask-for-assessment.docx" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img" not in page


@pytest.mark.browser
def test_the_page_has_no_wcag_violations() -> None:
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from tests.test_accessibility import AXE_JS, axe_violations
    from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists() or not AXE_JS.exists():
        pytest.skip("Chromium or axe-core is not installed (make test installs both)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.set_content(render_export(SAMPLE))
        violations = axe_violations(page, "my-data-page")
        page.screenshot(path=str(ARTIFACTS / "my-data-page.png"), full_page=True)
        browser.close()
    assert violations == []


async def test_the_history_a_reloaded_page_reads_still_carries_the_files(client) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("mydata")
    history = await parent.history()
    files = {m["document"]["filename"]: m["document"]["url"] for m in history if m["document"]}
    assert set(files) == {"my-champion-data.json", "my-champion-data.html"}
    assert all(parent.session not in url and "key=" in url for url in files.values())
    page = await parent.download(files["my-champion-data.html"])
    assert page.status_code == 200 and "Your conversation" in page.text
    assert (await client.get(files["my-champion-data.html"])).status_code == 401
