"""Reading and checking Rasa 3.x NLU training data (`version: "3.1"`, `nlu:`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.nlu.intents import INTENTS

_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


@dataclass(slots=True)
class TrainingData:
    examples: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _examples(block: object) -> list[str]:
    if not isinstance(block, str):
        return []
    lines = [line.strip() for line in block.splitlines()]
    return [line[2:].strip() for line in lines if line.startswith("- ") and line[2:].strip()]


def read_file(path: Path, shown: str, data: TrainingData) -> None:
    try:
        # libyaml when present: about ten times faster (`check` reads all of it)
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        data.problems.append(f"{shown}:1: not valid YAML: {exc}")
        return
    if not isinstance(document, dict) or "nlu" not in document:
        return  # Rasa allows other files (rules, stories) beside nlu data
    if str(document.get("version")) != "3.1":
        data.problems.append(f'{shown}:1: version must be "3.1" (Rasa 3.x format)')
    for index, item in enumerate(document.get("nlu") or []):
        if not isinstance(item, dict):
            data.problems.append(f"{shown}: nlu item {index + 1} must be a mapping")
            continue
        if "intent" not in item:
            continue  # synonyms, lookup tables and regexes are allowed and ignored
        intent = str(item["intent"])
        if intent not in INTENTS:
            data.problems.append(
                f"{shown}: unknown intent '{intent}' (see CONTENT.md for the fixed names)"
            )
            continue
        found = _examples(item.get("examples"))
        if not found:
            data.problems.append(f"{shown}: intent '{intent}' has no examples")
        data.examples.setdefault(intent, []).extend(found)


def load_training_data(directory: Path, include_test: bool = False) -> TrainingData:
    """Every nlu file under `directory`; the held-out `test/` folder only if asked.

    `dev/` (sets we tune the crisis screen on) is never training data."""
    data = TrainingData()
    if not directory.is_dir():
        return data
    for path in sorted(directory.rglob("*.yml")):
        relative = path.relative_to(directory)
        if relative.parts[0] == "dev" or (relative.parts[0] == "test" and not include_test):
            continue
        read_file(path, f"{directory.name}/{relative}", data)
    return data
