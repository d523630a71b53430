"""docker-compose.yml: accepted by Docker Compose, and it runs what DESIGN.md says."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from bot.config import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.mark.parametrize("profile", [[], ["--profile", "rasa"]])
def test_docker_compose_accepts_the_file(profile: list[str]) -> None:
    command = compose_command()
    if command is None:
        pytest.skip(
            "neither `docker compose` nor docker-compose is installed (make test installs it)"
        )
    checked = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), *profile, "config", "-q"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


def test_two_replicas_behind_a_proxy_with_postgres_redis_and_optional_rasa() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    assert {"postgres", "redis", "app1", "app2", "proxy", "rasa"} <= set(services)
    for replica in ("app1", "app2"):
        environment = services[replica]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert environment["REDIS_URL"].startswith("redis://")
    assert services["rasa"]["profiles"] == ["rasa"]
    nginx = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    assert "server app1:8000" in nginx and "server app2:8000" in nginx
    assert "proxy_buffering off" in nginx  # live pages stream through the proxy
