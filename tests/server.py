"""Real `python -m bot` processes for end-to-end tests and benchmarks: `serve` on a
free port, `create-user`, and content where Parent Champions are always online."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

from bot.config import PROJECT_ROOT
from bot.handoff.config import DAYS

# Champions online around the clock, so tests don't depend on when they run.
ALWAYS_OPEN = {day: "00:00-24:00" for day in DAYS} | {"bank_holidays": "open"}
PASSWORD = "a long enough password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(env_overrides: dict[str, str], log_path: Path) -> Iterator[str]:
    """Start the server, wait for /healthz, yield its base URL, stop it cleanly."""
    port = free_port()
    # Flood limits are set explicitly: off unless a test turns them on.
    limits_off = {"CHAT_MESSAGES_PER_MINUTE": "0", "CHAT_NEW_SESSIONS_PER_MINUTE": "0"}
    # Links the service makes (password resets) point at this server unless a test says.
    address = {"PUBLIC_URL": f"http://127.0.0.1:{port}"}
    env = {**os.environ, **limits_off, **address, **env_overrides}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 180  # NLU training alone can take a minute on busy CI cores
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()[-2000:]}")


def set_champion_hours(flows: Path, hours: dict[str, str]) -> None:
    champion = yaml.safe_load((flows / "champion.yml").read_text())
    champion["data"]["hours"] = {"timezone": "Europe/London", **hours}
    (flows / "champion.yml").write_text(yaml.safe_dump(champion, sort_keys=False))


def always_open_flows(target: Path) -> Path:
    """A copy of flows/ in `target` with champions always online; returns its path."""
    shutil.copytree(PROJECT_ROOT / "flows", target)
    set_champion_hours(target, ALWAYS_OPEN)
    return target


def create_account(
    env: dict[str, str],
    email: str,
    role: str,
    areas: tuple[str, ...] = (),
    name: str = "",
    password: str = PASSWORD,
) -> None:
    """`python -m bot create-user`, the password piped in as an operator's script would."""
    command = [sys.executable, "-m", "bot", "create-user", "--email", email, "--role", role]
    if areas:
        command += ["--area", *areas]
    if name:
        command += ["--name", name]
    made = subprocess.run(
        command,
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        timeout=60,
    )
    if made.returncode != 0:
        raise RuntimeError(f"create-user failed: {made.stderr}")
