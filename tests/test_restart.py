"""A conversation survives the server being stopped and started again."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from tests.chat import RemoteParent
from tests.server import running_server


def post(parent: RemoteParent, **body: str) -> list[dict]:
    response = parent.post(**body)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def payload(replies: list[dict], label: str) -> str:
    return next(b["payload"] for r in replies for b in r["buttons"] if b["label"] == label)


def test_state_survives_a_restart(settings: Settings, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(settings.data_dir),
        "FLOWS_DIR": str(settings.flows_dir),
        "KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "NLU_CACHE_DIR": str(settings.classifier_cache_dir),
    }
    log = tmp_path / "server.log"
    with running_server(env, log) as base:
        parent = RemoteParent(base)
        replies = post(parent, payload="global:start")
        replies = post(parent, payload=payload(replies, "OK, let's start"))
        replies = post(parent, payload=payload(replies, "EHC plans"))
        replies = post(parent, payload=payload(replies, "Work out my deadlines"))
        assert "What date did the council get your request" in replies[0]["text"]

    with running_server(env, log) as base:
        parent.base = base  # the same browser, after the restart
        # Mid-question before the restart; the answer is understood after it.
        replies = post(parent, text="14/03/2025")
        assert "Friday 14 March 2025" in replies[0]["text"]
        history = parent.history()
        assert [m["text"] for m in history if m["direction"] == "in"] == [
            "OK, let's start",
            "EHC plans",
            "Work out my deadlines",
            "14/03/2025",
        ]
