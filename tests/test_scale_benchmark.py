"""The scale benchmark (benchmarks/scale.py) still runs: a tiny fill on SQLite, then
every measurement it reports, so `make bench` does not break unnoticed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks.chat_throughput import measure
from benchmarks.scale import (
    ADMIN,
    CHAMPION,
    PASSWORD,
    erase_one,
    judge,
    migrate,
    retention_sweep,
    server_env,
    server_memory,
    time_page,
)
from benchmarks.scale_fill import Plan, fill, row_counts
from tests.server import always_open_flows, create_account, running_server


def test_tiny_fill_and_every_measurement(tmp_path: Path) -> None:
    plan = Plan(0.002)  # 200 parents
    url = f"sqlite:///{tmp_path / 'scale.sqlite3'}"
    asyncio.run(migrate(url))
    fill(url, plan)
    rows = row_counts(url)
    assert rows["parents"] == rows["conversations"] == 200
    assert rows["messages"] == 2000
    assert rows["tickets"] == 40
    assert rows["bookings"] == 100
    assert rows["reminders"] > 0

    always_open_flows(tmp_path / "flows")
    env = server_env(tmp_path, url)
    create_account(env, ADMIN, "admin", password=PASSWORD)
    create_account(env, CHAMPION, "champion", areas=("Leeds",), password=PASSWORD)
    with running_server(env, tmp_path / "server.log") as base:
        port = int(base.rsplit(":", 1)[1])
        queue = asyncio.run(time_page(base, ADMIN, "/console", 3))
        champion_queue = asyncio.run(time_page(base, CHAMPION, "/console", 3))
        reports = asyncio.run(time_page(base, ADMIN, "/console/reports", 1))
        erasure = asyncio.run(erase_one(base, plan))
        after = row_counts(url)
        chat = asyncio.run(measure(base, 2, 1.0, 0.2, 10))
        memory = server_memory(port)
    assert queue["statuses"] == champion_queue["statuses"] == reports["statuses"] == [200]
    assert queue["p95_ms"] > 0 and reports["max_ms"] > 0
    assert erasure["erased"] and erasure["status"] == 200
    assert memory["rss_mb"] > 0 and memory["peak_rss_mb"] >= memory["rss_mb"]
    assert after["parents"] == 199  # the heavy parent is gone
    assert after["messages"] < 2000

    before_sweep = row_counts(url)["parents"]  # the chat measurement added parents
    sweep = asyncio.run(retention_sweep(url))
    assert sweep["erased"] == plan.due == 20  # exactly the conversations made due
    assert row_counts(url)["parents"] == before_sweep - 20

    assert chat["requests"] > 0 and chat["errors"] == 0 and chat["p99_ms"] > 0
    verdicts = judge(
        {
            "chat_empty": chat,
            "chat_full": chat,
            "queue_admin": queue,
            "queue_champion": champion_queue,
            "reports": reports,
            "retention_sweep": sweep,
            "memory": memory,
        }
    )
    assert set(verdicts) == {
        "chat_p99_ratio",
        "queue_p95_ms",
        "reports_ms",
        "retention_sweep_s",
        "rss_mb",
    }
