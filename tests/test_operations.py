"""Operations: readiness, metrics, structured logs with nothing private in them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from sqlalchemy import inspect

from tests.chat import Parent, RemoteParent
from tests.server import running_server


def value_of(metrics: str, name: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_ready_and_metrics(app_and_client: tuple) -> None:
    _app, client = app_and_client
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"ready": True}
    before = value_of(
        (await client.get("/metrics")).text, 'champion_messages_in_total{channel="web"}'
    )
    parent = Parent(client)
    await parent.at_main_menu()
    await parent.say("my daughter says she wants to kill herself")  # a crisis: a ticket waits
    metrics = (await client.get("/metrics")).text
    # Counters are per process (other tests ran here too): three more messages came in.
    assert value_of(metrics, 'champion_messages_in_total{channel="web"}') == before + 3
    assert 'champion_open_tickets{status="waiting"} 1.0' in metrics
    assert "champion_oldest_waiting_ticket_seconds " in metrics
    assert "champion_reminder_backlog 0.0" in metrics
    assert "champion_outbox_backlog 0.0" in metrics
    assert "champion_nlu_seconds_count" in metrics


async def test_sql_like_text_is_just_text(app_and_client: tuple) -> None:
    app, client = app_and_client
    parent = Parent(client)
    await parent.at_main_menu()
    for attack in ("'; DROP TABLE parents; --", "1 OR 1=1", '" UNION SELECT * FROM staff_users --'):
        replies = await parent.say(attack)
        assert replies  # answered like any other words
    tables = await app.state.services.database.read(lambda c: inspect(c).get_table_names())
    assert {"parents", "messages", "staff_users"} <= set(tables)
    assert len(await parent.history()) > 6


def test_json_logs_carry_no_message_text_or_chat_ids(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.sqlite3'}",
        "DATA_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
    }
    session = f"private-{uuid.uuid4().hex}"
    words = "my son is missing and I can't find him anywhere near Oakwood Road"
    log = tmp_path / "server.log"
    with running_server(env, log) as base:
        parent = RemoteParent(base, session)
        for body in ({"payload": "global:start"}, {"text": words}):
            parent.post(**body)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any("crisis detected" in r["message"] for r in records)
    everything = log.read_text()
    assert session not in everything and "Oakwood" not in everything
