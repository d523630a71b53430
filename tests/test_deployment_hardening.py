"""Deployment hardening: guessable webhook secrets refused, /metrics kept inside,
the proxy's addresses trusted, and `serve` protected from slow clients."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import httpx
import pytest
import yaml

from bot.__main__ import main
from bot.config import PROJECT_ROOT, SettingsError, load_settings
from tests.server import running_server

LONG = "a" * 32


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        (
            {"telegram_webhook_url": "https://bot.example.org/telegram/webhook"}
            | {"telegram_bot_token": "1:x", "telegram_webhook_secret": "x"},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {"whatsapp_token": "t", "whatsapp_app_secret": "s" * 32}
            | {"whatsapp_verify_token": "letmein", "whatsapp_phone_number_id": "1"},
            "WHATSAPP_VERIFY_TOKEN",
        ),
    ],
)
def test_a_short_webhook_secret_stops_the_start_with_one_line(
    settings: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**settings)
    message = str(refused.value)
    assert variable in message and "at least 32 characters" in message
    assert "\n" not in message


def test_serve_refuses_a_one_character_secret_before_starting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "x")
    assert main(["serve"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("champion: setting TELEGRAM_WEBHOOK_SECRET is invalid")
    assert "at least 32 characters (it has 1)" in error


def test_long_secrets_are_accepted() -> None:
    telegram = load_settings(
        telegram_bot_token="1:x",
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret="A-b_" + LONG,
    )
    assert telegram.telegram_webhook_secret.endswith(LONG)
    with pytest.raises(SettingsError, match="only letters, digits, _ and -"):
        load_settings(telegram_webhook_secret="has spaces " + LONG)  # Telegram refuses these


def nginx_locations() -> dict[str, str]:
    conf = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    conf = re.sub(r"#.*", "", conf)
    return {
        match.group(1).strip(): match.group(2)
        for match in re.finditer(r"location\s+([^{]+)\{([^}]*)\}", conf)
    }


def test_metrics_are_not_served_through_the_public_proxy() -> None:
    locations = nginx_locations()
    metrics = locations.get("= /metrics")
    assert metrics is not None, "nginx.conf has no rule for /metrics"
    rules = [line.strip().rstrip(";") for line in metrics.splitlines() if line.strip()]
    access = [rule for rule in rules if rule.startswith(("allow ", "deny "))]
    assert access and access[-1] == "deny all"  # nginx takes the first rule that matches
    allowed = [rule.split()[1] for rule in access if rule.startswith("allow ")]
    assert set(allowed) <= {"127.0.0.1", "::1"}  # only from inside the proxy's own host


def test_the_replicas_trust_the_proxy_and_only_the_proxy_network() -> None:
    services = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())["services"]
    for replica in ("app1", "app2"):
        environment = services[replica]["environment"]
        assert environment["TRUSTED_PROXIES"]
        assert "ports" not in services[replica]  # reachable only through the proxy
    nginx = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx
    assert "X-Forwarded-Proto $scheme" in nginx


def test_serve_does_not_believe_forwarded_headers_from_an_untrusted_client(
    tmp_path: Path, nlu_cache_dir: Path
) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DATA_DIR": str(tmp_path),
        "NLU_CACHE_DIR": str(nlu_cache_dir),  # the classifier trained once for this run
    }
    with running_server(env, tmp_path / "server.log") as base:
        # uvicorn's own proxy handling would have believed 127.0.0.1 and made this HTTPS.
        response = httpx.get(f"{base}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in response.headers
        # A client that sends headers and then nothing is cut off, not kept forever...
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as idle:
            idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            idle.settimeout(15)
            started = time.monotonic()
            received = b""
            while chunk := idle.recv(65536):
                received += chunk
            assert received.startswith(b"HTTP/1.1 200")
            # ...once its keep-alive period (5 s) is over.
            assert time.monotonic() - started < 10
