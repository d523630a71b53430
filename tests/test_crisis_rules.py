"""The crisis phrase rules, category by category, and the crisis message check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.flows.loader import load_flow_dir
from bot.safety.message import FALLBACK_TEXT, missing_numbers
from bot.safety.rules import matching_categories

MUST_MATCH = {
    "suicide": [
        "my son said he wants to kill himself",
        "She keeps talking about suicide",
        "he says he'd be better off dead",
        "she doesn't want to be alive anymore",
        "he's threatening to jump off the bridge",
        "I found a suicide note in her room",
    ],
    "self_harm": [
        "my daughter has been self-harming",
        "he's been cutting himself",
        "I found cuts on my son's arms",
        "she scratches herself until it bleeds",
        "he hurts himself when he's upset",
    ],
    "overdose": [
        "she took an overdose",
        "he's swallowed a load of paracetamol",
        "my son took too many of his tablets",
    ],
    "abuse": [
        "I think my child is being abused",
        "she was sexually assaulted",
        "he's being groomed online",
        "someone touched my daughter inappropriately",
    ],
    "violence": [
        "my husband hits the children",
        "he was hit by his dad",
        "my teenager has a knife",
        "my ex is threatening to kill us",
    ],
    "missing": [
        "my son has gone missing",
        "I can't find my daughter anywhere",
        "he ran away this morning",
        "she hasn't come home and it's midnight",
    ],
    "restraint": [
        "they restrained him and now he has bruises",
        "there are marks on her arms from being restrained",
    ],
    "parent_risk": [
        "I'm scared I'll hurt my son",
        "I feel like I could hurt him",
        "I'm frightened of what I might do",
        "I can't keep my child safe tonight",
        "I don't want to be here anymore",
    ],
    "danger": ["she's in danger right now", "the kids aren't safe at home"],
}

# Everyday phrases in this service that must not raise an alarm by themselves.
MUST_NOT_MATCH = [
    "the school is killing me with all these meetings",
    "I'm dying to know when the plan will come",
    "the draft plan is missing lots of his needs",
    "section F is missing the speech therapy",
    "he takes his tablets every morning",
    "what is the school's policy on restraint?",
    "he's being sent home at lunchtime",
    "the council cut his hours",
    "she was knackered after school",
    "they kicked him off the football team",
    "he hits other children when he's overwhelmed and the school want to exclude him",
]


@pytest.mark.parametrize(
    ("category", "text"), [(c, t) for c, texts in MUST_MATCH.items() for t in texts]
)
def test_each_kind_of_risk_is_caught_by_the_rules(category: str, text: str) -> None:
    assert category in matching_categories(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_common_figures_of_speech_do_not_match(text: str) -> None:
    assert matching_categories(text) == []


def test_curly_apostrophes_do_not_hide_a_crisis() -> None:
    assert matching_categories("she doesn’t want to be alive") == ["suicide"]


def test_the_built_in_fallback_has_every_number() -> None:
    assert missing_numbers(FALLBACK_TEXT) == []


def test_a_crisis_message_that_loses_a_number_is_refused(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    text = (flows / "crisis.yml").read_text().replace("**116 123**", "the Samaritans")
    (flows / "crisis.yml").write_text(text)
    problems = [str(p) for p in load_flow_dir(flows).problems]
    assert any("flows/crisis.yml" in p and "missing 116 123 (Samaritans)" in p for p in problems), (
        problems
    )
