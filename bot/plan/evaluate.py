"""`python -m bot plan eval`: how well the checker does on a labelled set.

Precision and recall for "vague" over nlu_data/test/plan_sentences.yml (records with
`sentence`, `vague`, `missing`), and how often Section F is found in the whole plans
in nlu_data/test/plans/ (.docx and .pdf). The rules are tuned on
nlu_data/dev/plan_sentences_dev.yml, never on the test set.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.plan.checker import check_sentence
from bot.plan.reading import PlanReadError, read_upload
from bot.plan.section_f import find_section_f

TEST_SENTENCES = Path("nlu_data/test/plan_sentences.yml")
TEST_PLANS = Path("nlu_data/test/plans")
# With `--file` (a dev sentence set) and no `--plans`, no plans are read.
NO_PLANS = None


@dataclass
class PlanEval:
    sentences: int
    precision: float | None
    recall: float | None
    plans: int
    section_f_found: float | None
    plans_missed: list[str]


def _records(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        for key in ("sentences", "examples", "records", "items"):
            if isinstance(data.get(key), list):
                return data[key]
        return []
    return data if isinstance(data, list) else []


def evaluate(sentences: Path = TEST_SENTENCES, plans: Path | None = TEST_PLANS) -> PlanEval:
    true_pos = false_pos = false_neg = counted = 0
    if sentences.exists():
        for record in _records(sentences):
            if not isinstance(record, dict) or "sentence" not in record:
                continue
            counted += 1
            expected = bool(record.get("vague"))
            predicted = check_sentence(str(record["sentence"])).vague
            true_pos += expected and predicted
            false_pos += predicted and not expected
            false_neg += expected and not predicted
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else None
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else None
    files = sorted(
        p
        for p in (plans.iterdir() if plans is not None and plans.is_dir() else [])
        if p.suffix.lower() in (".docx", ".pdf")
    )
    missed: list[str] = []
    for path in files:
        try:
            found = find_section_f(read_upload(path.name, path.read_bytes()).text).found
        except PlanReadError:
            found = False
        if not found:
            missed.append(path.name)
    rate = (len(files) - len(missed)) / len(files) if files else None
    return PlanEval(counted, precision, recall, len(files), rate, missed)


def run(as_json: bool, sentences: Path = TEST_SENTENCES, plans: Path | None = TEST_PLANS) -> int:
    if not sentences.exists() and (plans is None or not plans.is_dir()):
        print(
            f"No evaluation set yet: {sentences} and {plans}/ are not there. "
            "Add them (see issue #19), or pass --sentences and --plans."
        )
        return 1
    result = evaluate(sentences, plans)
    if as_json:
        print(json.dumps(asdict(result)))
        return 0

    def shown(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    print(f"sentences: {result.sentences} from {sentences}")
    print(f"vague: precision {shown(result.precision)}, recall {shown(result.recall)}")
    if plans is not None:
        found = shown(result.section_f_found)
        print(f"plans: {result.plans} in {plans}/; Section F found in {found}")
    for name in result.plans_missed:
        print(f"  Section F not found: {name}")
    return 0
