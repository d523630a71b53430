"""`python -m bot nlu predict` and `nlu eval`, and the quality floors on held-out data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.nlu.crisis_sets import CRISIS_SETS, FIGURES_ONLY

DATA = PROJECT_ROOT / "nlu_data"


def run(args: list[str], cache: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NLU_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "nlu", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> dict:
    result = run(["eval", "--json"], tmp_path_factory.mktemp("cache"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_predict_writes_one_json_object_per_line(tmp_path: Path) -> None:
    result = run(
        ["predict"],
        tmp_path,
        "how do I apply for an EHCP\nmy daughter wants to kill herself\n\nthanks, bye\n",
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    fields = {"text", "intent", "confidence", "crisis", "crisis_kinds", "question_intent"}
    assert [set(line) for line in lines] == [fields] * 4
    assert lines[0]["intent"] == "ehcp_request" and lines[0]["crisis"] is False
    assert lines[0]["question_intent"] == "ehcp_request" and lines[0]["crisis_kinds"] == []
    assert lines[1]["intent"] == "safeguarding_crisis" and lines[1]["crisis"] is True
    assert lines[1]["crisis_kinds"] == ["suicidal_thoughts"]
    assert lines[2]["text"] == ""
    assert lines[3]["intent"] == "goodbye"
    assert all(0 <= line["confidence"] <= 1 for line in lines)


def test_predict_jsonl_reads_messages_with_line_breaks(tmp_path: Path) -> None:
    message = "We are still waiting for the EHCP.\nHe ran away from school and we can't find him"
    result = run(["predict", "--jsonl"], tmp_path, json.dumps(message) + "\n")
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    assert line["text"] == message
    assert line["crisis"] is True and "missing_child" in line["crisis_kinds"]


def test_eval_prints_accuracy_and_per_intent_f1(tmp_path: Path) -> None:
    result = run(["eval"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "accuracy:" in result.stdout and "macro F1:" in result.stdout
    assert "safeguarding_crisis" in result.stdout
    assert "crisis recall: 1.000" in result.stdout
    # The second to fifth fresh crisis sets are measured, never read: their figures
    # print, none of their messages do (whoever tunes the screen would tune to them).
    assert {"fresh2", "fresh3", "fresh4", "fresh5"} <= FIGURES_ONLY
    for name in sorted(CRISIS_SETS[key] for key in FIGURES_ONLY):
        assert f"crisis set {name}" in result.stdout
        fresh = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        assert not [m["text"] for m in fresh["messages"] if repr(m["text"]) in result.stdout]
    assert "not shown: this set is for measuring only" in result.stdout


def test_the_measuring_only_set_gives_counts_not_messages_in_json(evaluation: dict) -> None:
    sets = {found["set"]: found for found in evaluation["crisis_sets"]}
    for name in sorted(CRISIS_SETS[key] for key in FIGURES_ONLY):
        fresh = sets.pop(name)
        assert fresh["crises"] >= 250 and fresh["negatives"] >= 200
        assert isinstance(fresh["missed"], int) and isinstance(fresh["false_alarms"], int)
    assert sets and all(isinstance(found["missed"], list) for found in sets.values())


def test_held_out_accuracy_is_at_least_85_percent(evaluation: dict) -> None:
    assert evaluation["examples"] >= 200
    assert evaluation["accuracy"] >= 0.85


def test_no_crisis_in_the_held_out_set_is_missed(evaluation: dict) -> None:
    assert evaluation["missed_crises"] == []
    assert evaluation["crisis_recall"] == 1.0


def test_false_alarms_stay_under_5_percent(evaluation: dict) -> None:
    assert evaluation["crisis_false_alarm_rate"] < 0.05


def test_every_intent_is_in_the_held_out_set(evaluation: dict) -> None:
    from bot.nlu.intents import INTENTS

    assert set(evaluation["per_intent"]) >= set(INTENTS)


def test_training_data_has_40_examples_per_intent_and_never_reads_test() -> None:
    from bot.nlu.data import load_training_data
    from bot.nlu.intents import INTENTS

    train = load_training_data(PROJECT_ROOT / "nlu_data")
    assert all(len(train.examples.get(name, [])) >= 40 for name in INTENTS)
    held_out = (PROJECT_ROOT / "nlu_data" / "test" / "test_nlu.yml").read_text()
    some_test_line = "my son said he doesn't want to be alive anymore"
    assert some_test_line in held_out
    assert all(some_test_line not in texts for texts in train.examples.values())
