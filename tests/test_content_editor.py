"""Admins edit flows and knowledge in the browser: drafts, checks, publish, rollback."""

from __future__ import annotations

import asyncio
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, Settings
from tests.chat import Parent
from tests.conftest import running_app
from tests.test_handoff import champion_of

OLD = "What would you like help with? Pick one, or type your question."
NEW = "What can I help you with today? Pick one, or type your question."


async def menu_text(client: Any) -> str:
    parent = Parent(client)
    await parent.open_chat()
    await parent.press("OK, let's start")
    return parent.text


async def main_yml(admin: Any) -> str:
    page = await admin.client.get("/console/content/edit", params={"path": "flows/main.yml"})
    assert page.status_code == 200
    return html.unescape(
        page.text.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    )


async def test_publish_changes_what_parents_see_and_rollback_restores_it(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    admin = await champion_of(app, [], role="admin")
    original = await main_yml(admin)
    saved = await admin.post(
        "/console/content/edit", path="flows/main.yml", body=original.replace(OLD, NEW)
    )
    assert saved.status_code == 200 and "Saved as a draft" in saved.text
    assert "No problems: this draft can be published" in saved.text
    assert OLD in await menu_text(client)  # a draft: parents still see the published words

    published = await admin.post("/console/content/publish", note="Friendlier menu question")
    assert published.status_code == 303
    release_page = await admin.client.get(published.headers["location"])
    assert "+    say: What can I help you with today?" in html.unescape(release_page.text)
    assert NEW in await menu_text(client)

    history = await admin.client.get("/console/content/history")
    assert "Friendlier menu question" in history.text and "Imported from flows/" in history.text
    first = await admin.post("/console/content/releases/1/rollback")
    assert first.status_code == 303
    assert OLD in await menu_text(client)


async def test_an_invalid_edit_is_refused_with_its_line_and_the_old_version_keeps_serving(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    admin = await champion_of(app, [], role="admin")
    original = await main_yml(admin)
    broken = original.replace("flow: ehcp", "flow: echp", 1)
    saved = await admin.post("/console/content/edit", path="flows/main.yml", body=broken)
    text = html.unescape(saved.text)
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if "echp" in text)
    assert f"Line {line}" in text and "echp" in text
    assert f'id="line-{line}" class="error"' in saved.text  # marked beside the line
    refused = await admin.post("/console/content/publish", note="Oops")
    assert refused.status_code == 400 and "Fix these problems first" in refused.text
    assert OLD in await menu_text(client)
    # Nothing is lost: the draft is still there to fix.
    assert "echp" in await main_yml(admin)


async def test_champions_cannot_edit(app_and_client: tuple) -> None:
    app, _client = app_and_client
    champion = await champion_of(app, ["Leeds"])
    for path in (
        "/console/content",
        "/console/content/edit?path=flows/main.yml",
        "/console/content/history",
        "/console/content/preview",
    ):
        assert (await champion.client.get(path)).status_code == 403, path
    refused = await champion.post("/console/content/publish", note="x")
    assert refused.status_code == 403


async def test_the_preview_runs_the_drafts_while_parents_keep_the_published(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    admin = await champion_of(app, [], role="admin")
    original = await main_yml(admin)
    await admin.post(
        "/console/content/edit", path="flows/main.yml", body=original.replace(OLD, NEW)
    )
    page = await admin.client.get("/console/content/preview")
    assert 'data-api="/console/content/preview/api"' in page.text
    chat = admin.client
    first = await chat.post(
        "/console/content/preview/api",
        json={"session": "previewsession1", "payload": "global:start"},
    )
    ok = next(
        b["payload"]
        for r in first.json()["replies"]
        for b in r["buttons"]
        if b["label"] == "OK, let's start"
    )
    # The preview keeps the web chat's contract: a secret with the first reply.
    token = first.json()["token"]
    assert first.json()["session"] == "previewsession1"
    without = await chat.post(
        "/console/content/preview/api", json={"session": "previewsession1", "payload": ok}
    )
    assert without.status_code == 401
    second = await chat.post(
        "/console/content/preview/api",
        json={"session": "previewsession1", "payload": ok},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert NEW in "\n".join(r["text"] for r in second.json()["replies"])
    assert OLD in await menu_text(client)


async def test_a_second_process_picks_up_a_publish_within_seconds(settings: Settings) -> None:
    async with (
        running_app(settings) as (first_app, _first),
        running_app(settings) as (_second_app, second),
    ):
        admin = await champion_of(first_app, [], role="admin")
        original = await main_yml(admin)
        await admin.post(
            "/console/content/edit", path="flows/main.yml", body=original.replace(OLD, NEW)
        )
        await admin.post("/console/content/publish", note="Friendlier")
        for _ in range(80):  # the version check runs every 3 seconds
            if NEW in await menu_text(second):
                break
            await asyncio.sleep(0.1)
        assert NEW in await menu_text(second)


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "DATA_DIR": str(settings.data_dir),
           "FLOWS_DIR": str(settings.flows_dir), "KNOWLEDGE_DIR": str(settings.knowledge_dir)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
    )


async def test_content_export_and_import(settings: Settings, tmp_path: Path) -> None:
    # The real content, as on a fresh install (the test-only flow needs test-only actions).
    real = {"flows_dir": PROJECT_ROOT / "flows", "knowledge_dir": PROJECT_ROOT / "knowledge"}
    settings = settings.model_copy(update=real)
    async with running_app(settings) as (_app, _client):
        pass  # the first start publishes flows/ and knowledge/ as release 1
    exported = run_cli(settings, "content", "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    main = tmp_path / "out" / "flows" / "main.yml"
    assert OLD in main.read_text()
    main.write_text(main.read_text().replace(OLD, NEW))
    imported = run_cli(settings, "content", "import", str(tmp_path / "out"))
    assert imported.returncode == 0 and "published release 2" in imported.stdout
    main.write_text(main.read_text().replace("start: menu", "start: nowhere"))
    bad = run_cli(settings, "content", "import", str(tmp_path / "out"))
    assert bad.returncode == 1 and "flows/main.yml" in bad.stderr and "not imported" in bad.stderr
    async with running_app(settings) as (_app, client):
        assert NEW in await menu_text(client)


async def test_articles_over_a_year_old_are_listed_for_review(app_and_client: tuple) -> None:
    app, _client = app_and_client
    admin = await champion_of(app, [], role="admin")
    page = await admin.client.get(
        "/console/content/edit", params={"path": "knowledge/annual-review.md"}
    )
    text = html.unescape(
        page.text.split('name="body"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    )
    old = re.sub(r"last_reviewed: \S+", "last_reviewed: 2024-01-15", text)
    await admin.post("/console/content/edit", path="knowledge/annual-review.md", body=old)
    index = html.unescape((await admin.client.get("/console/content")).text)
    listed = index.split('id="stale"', 1)[1].split("</ul>", 1)[0]
    assert "knowledge/annual-review.md" in listed and "due for review" in listed


ALIAS_BOMB = "data: &d [*d]\n"
BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
)


async def test_a_yaml_alias_bomb_in_a_draft_is_refused_and_every_page_still_works(
    app_and_client: tuple,
) -> None:
    app, client = app_and_client
    admin = await champion_of(app, [], role="admin")
    for bomb in (ALIAS_BOMB, BILLION_LAUGHS):
        saved = await admin.post("/console/content/edit", path="flows/main.yml", body=bomb)
        assert saved.status_code < 500
        assert "aliases" in html.unescape(saved.text)
        for page in ("/console/content", "/console/content/edit?path=flows/main.yml"):
            assert (await admin.client.get(page)).status_code == 200, page
        refused = await admin.post("/console/content/publish", note="bomb")
        assert refused.status_code == 400
        assert OLD in await menu_text(client)  # parents still get the published menu


def test_check_names_a_bomb_file_in_one_line_quickly(settings: Settings, tmp_path: Path) -> None:
    flows = tmp_path / "bomb-flows"
    flows.mkdir()
    for source in settings.flows_dir.glob("*.yml"):
        (flows / source.name).write_text(source.read_text())
    (flows / "main.yml").write_text(BILLION_LAUGHS)
    checked = run_cli(settings.model_copy(update={"flows_dir": flows}), "check")
    assert checked.returncode != 0
    problems = [line for line in checked.stdout.splitlines() + checked.stderr.splitlines()
                if "main.yml" in line]  # fmt: skip
    assert problems and "aliases" in problems[0]
    assert "Traceback" not in checked.stderr
