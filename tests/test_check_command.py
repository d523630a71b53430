"""`python -m bot check` validates flows/, knowledge/ and nlu_data/ and sets its exit code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT


def run_check(tmp_path: Path, **settings: Path | str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    env.update({name.upper(): str(value) for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


def copy_content(tmp_path: Path) -> tuple[Path, Path]:
    flows, knowledge = tmp_path / "flows", tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    return flows, knowledge


def test_the_shipped_content_passes(tmp_path: Path) -> None:
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_a_bad_flow_fails_with_one_line_naming_file_line_and_node(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    text = (flows / "ehcp.yml").read_text().replace("goto: request", "goto: requets", 1)
    (flows / "ehcp.yml").write_text(text)
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    assert (
        "flows/ehcp.yml:9: node 'intro': leads to 'requets', which is not a node in this flow"
        in result.stdout
    )


def test_an_article_without_sources_fails(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    article = knowledge / "who-can-help.md"
    lines = article.read_text().splitlines()
    start = lines.index("sources:")
    end = next(i for i, line in enumerate(lines) if line.startswith("last_reviewed"))
    article.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 1
    assert "knowledge/who-can-help.md:1: sources: Field required" in result.stdout


def test_a_stale_article_is_a_warning_not_an_error(tmp_path: Path) -> None:
    flows, knowledge = copy_content(tmp_path)
    article = knowledge / "who-can-help.md"
    text = article.read_text()
    article.write_text(text.replace("last_reviewed: 2026-11-22", "last_reviewed: 2020-01-01"))
    result = run_check(tmp_path, flows_dir=flows, knowledge_dir=knowledge)
    assert result.returncode == 0, result.stdout
    assert "warning: last reviewed 2020-01-01, over 12 months ago: due for review" in result.stdout


def test_bad_nlu_data_fails(tmp_path: Path) -> None:
    nlu = tmp_path / "nlu_data"
    nlu.mkdir()
    (nlu / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ehcp_request\n  examples: |\n    - how do I get an EHCP\n'
        "- intent: not_a_real_intent\n  examples: |\n    - hello\n"
    )
    result = run_check(tmp_path, nlu_data_dir=nlu)
    assert result.returncode == 1
    assert "unknown intent 'not_a_real_intent'" in result.stdout


def test_a_crisis_message_set_with_an_unknown_kind_fails(tmp_path: Path) -> None:
    nlu = tmp_path / "nlu_data"
    shutil.copytree(PROJECT_ROOT / "nlu_data", nlu)
    (nlu / "crisis_messages" / "extra.yml").write_text(
        "version: 1\nmessages:\n"
        "  - text: he swallowed a whole strip of his tablets\n    crisis: true\n"
        "    kinds: [overdose]\n"
        "  - text: she has gone off on her bike and nobody knows where\n    crisis: true\n"
        "    kinds: [runaway]\n"
        "  - crisis: false\n"
    )
    result = run_check(tmp_path, nlu_data_dir=nlu)
    assert result.returncode == 1
    assert "crisis_messages/extra.yml: message 2: unknown crisis kind 'runaway'" in result.stdout
    assert "crisis_messages/extra.yml: message 3 has no text" in result.stdout


def test_a_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    result = run_check(tmp_path, port="not-a-port")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "champion: setting PORT is invalid: Input should be a valid integer, unable to parse string as an integer"
    ]
