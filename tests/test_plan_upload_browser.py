"""The web chat's plan upload (issue #19) in headless Chromium: at "Check my draft
plan" a labelled file picker appears; a .docx made with python-docx comes back with
the findings; a file over 10 MB is refused in the browser with the server's words; a
file the server can't read is answered as a bot message; the message box takes a
long paste while a plan is awaited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from bot.config import PROJECT_ROOT
from tests.plan_files import SECTION_F, plan_docx, plan_pdf
from tests.test_accessibility import AXE_JS, axe_violations
from tests.test_webchat_browser import browser_page, chat_server

pytestmark = pytest.mark.browser

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PICKER = "Upload your plan (.docx, PDF or text)"


def problem_words(problem: str) -> str:
    flow = yaml.safe_load((PROJECT_ROOT / "flows" / "plan_check.yml").read_text())
    return str(flow["data"]["problems"][problem])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chat_server(tmp_path_factory, "plan-upload") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    with browser_page(base_url, bypass_csp=True) as page:  # axe-core is added inline
        yield page


def test_a_plan_uploaded_in_the_web_chat_is_checked(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    log = page.get_by_role("log")
    page.get_by_role("button", name="OK, let's start").click()
    expect(log).to_contain_text("What would you like help with?")
    picker = page.get_by_label(PICKER)
    expect(picker).to_be_hidden()  # only while a plan is awaited
    box = page.get_by_label("Your message")
    expect(box).to_have_attribute("maxlength", "4000")
    box.fill("check my draft plan")
    box.press("Enter")
    expect(log).to_contain_text("paste the text of Section F")
    expect(picker).to_be_visible()
    expect(box).to_have_attribute("maxlength", "100000")  # a long paste fits
    if AXE_JS.exists():
        assert axe_violations(page, "chat-plan-upload") == []

    # Nothing chosen: said, not sent.
    page.get_by_role("button", name="Send the file").click()
    expect(page.get_by_role("status")).to_contain_text("Please choose a file to send.")

    # Over 10 MB: refused in the browser, in the server's words, and nothing is posted.
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/upload" in r.url else None)
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10)
    picker.set_input_files({"name": "big.pdf", "mimeType": "application/pdf", "buffer": big})
    page.get_by_role("button", name="Send the file").click()
    expect(log).to_contain_text(problem_words("too_large"))
    assert uploads == []

    # A file the server can't read: its words come back as a bot message.
    locked = plan_pdf(encrypt="secret")
    picker.set_input_files({"name": "locked.pdf", "mimeType": "application/pdf", "buffer": locked})
    page.get_by_role("button", name="Send the file").click()
    expect(log.locator(".msg.bot").last).to_contain_text("locked with a password")
    expect(picker).to_be_visible()  # still waiting for the plan

    # The real thing: a .docx made with python-docx.
    picker.set_input_files({"name": "draft plan.docx", "mimeType": DOCX, "buffer": plan_docx()})
    page.get_by_role("button", name="Send the file").click()
    expect(log).to_contain_text("not clear enough")
    expect(log).to_contain_text(SECTION_F[0])
    expect(log).to_contain_text("Sent a file: draft plan.docx")
    expect(picker).to_be_hidden()  # the plan was read: the conversation moved on
    expect(box).to_have_attribute("maxlength", "4000")
