"""A reloaded chat page still offers the files it was sent (a letter, "my data"),
and they still download, fetched with the chat's secret in a header (issue #17)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_letters_browser import write_records_letter
from tests.test_webchat_browser import ARTIFACTS, browser_page, chat_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chat_server(tmp_path_factory, "downloads-browser") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    with browser_page(base_url) as page:
        yield page


def test_a_reload_keeps_the_letter_and_my_data_downloads(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    seen: list[tuple[str, str | None]] = []
    page.on("request", lambda r: seen.append((r.url, r.headers.get("authorization"))))
    write_records_letter(page)
    log = page.get_by_role("log")
    box = page.get_by_label("Your message")
    box.fill("can I see my data")
    box.press("Enter")
    expect(log).to_contain_text("a page you can open, read and print")

    page.reload()
    expect(log).to_contain_text("Re: Ayo, date of birth 14 March 2015")
    letter = page.get_by_role("button", name="Download school-records.docx")
    expect(letter).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "downloads-after-reload.png"), full_page=True)

    with page.expect_download() as download:
        letter.click()
    assert download.value.suggested_filename == "school-records.docx"
    body = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(body)) as docx:
        assert "Ayo" in docx.read("word/document.xml").decode()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my-champion-data.html").click()
    readable = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Your conversation" in readable and "Meadow Lane" in readable

    token = page.evaluate("localStorage.getItem('champion-session-token')")
    session = page.evaluate("localStorage.getItem('champion-session')")
    fetched = [(url, auth) for url, auth in seen if "/api/chat/document" in url]
    assert len(fetched) == 2 and all(auth == f"Bearer {token}" for _url, auth in fetched)
    assert not any(session in url or token in url for url, _auth in seen)
