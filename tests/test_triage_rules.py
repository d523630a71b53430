"""The referral rule table in flows/triage.yml, local authority lookup and ages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.core.answers import read_age
from bot.triage.local_authorities import load_local_authorities
from bot.triage.referral import CATEGORIES, ReferralRules, decide, rules_problems

TRIAGE = yaml.safe_load((PROJECT_ROOT / "flows" / "triage.yml").read_text())
RULES = ReferralRules.model_validate(TRIAGE["data"]["referral"])


@pytest.mark.parametrize(
    ("answers", "category", "urgency"),
    [
        ({"concerns": ["exclusion"]}, "exclusion", "urgent"),
        ({"concerns": ["part_time"]}, "exclusion", "urgent"),
        ({"concerns": ["ehcp", "exclusion"]}, "exclusion", "urgent"),  # exclusion first
        ({"concerns": ["attendance"]}, "attendance", "routine"),
        ({"concerns": ["attendance"], "days_out_of_school": 16}, "attendance", "urgent"),
        ({"concerns": ["attendance"], "days_out_of_school": 15}, "attendance", "routine"),
        ({"setting": "Not in school now"}, "attendance", "routine"),
        ({"concerns": ["disputes"]}, "disputes", "routine"),
        ({"concerns": ["disputes"], "deadline_soon": "yes"}, "disputes", "urgent"),
        ({"concerns": ["ehcp"]}, "ehcp", "routine"),
        ({"concerns": ["ehcp"], "deadline_soon": "yes"}, "ehcp", "urgent"),
        ({"concerns": ["ehcp"], "deadline_soon": "no"}, "ehcp", "routine"),
        ({"concerns": ["ehcp", "disputes"]}, "disputes", "routine"),
        ({"concerns": ["equality"]}, "equality", "routine"),
        ({"concerns": ["sen_support"]}, "sen_support", "routine"),
        ({"concerns": ["wellbeing"]}, "wellbeing", "routine"),
        ({"concerns": ["transition"]}, "transition", "routine"),
        ({"concerns": ["wellbeing", "sen_support"]}, "sen_support", "routine"),
        ({}, "sen_support", "routine"),  # everything skipped
    ],
)
def test_the_rule_table(answers: dict, category: str, urgency: str) -> None:
    referral = decide(RULES, answers)
    assert (referral.category, referral.urgency) == (category, urgency)


def test_only_the_listed_answers_are_kept_with_a_referral() -> None:
    referral = decide(RULES, {"concerns": ["ehcp"], "child_age": 9, "request_date": "2025-01-01"})
    assert referral.answers == {"concerns": ["ehcp"], "child_age": 9}


def test_every_category_in_content_md_except_crisis_can_be_reached() -> None:
    reachable = {rule.category for rule in RULES.categories} | {RULES.default_category}
    assert reachable == set(CATEGORIES) - {"crisis"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"categories": [{"category": "astrology", "when": ["a is set"]}]},
            "unknown category 'astrology'",
        ),
        (
            {"categories": [{"category": "ehcp", "when": ["concerns >< x"]}]},
            "cannot read condition",
        ),
        ({"categories": []}, "categories"),
    ],
)
def test_bad_rules_are_reported(change: dict, problem: str) -> None:
    broken = {**TRIAGE["data"]["referral"], **change}
    problems = rules_problems({"referral": broken})
    assert any(problem in line for line in problems), problems


def test_missing_rules_are_reported() -> None:
    assert rules_problems({}) == [
        "data.referral is missing: the triage rules must be in flows/triage.yml"
    ]


LAS = load_local_authorities(PROJECT_ROOT / "knowledge" / "local_authorities.yml")


def test_all_153_english_local_authorities_are_listed() -> None:
    today = LAS.current(dt.date(2026, 12, 6))
    assert len(today) == 153
    assert len({la.name for la in today}) == 153
    # Surrey County Council gives way to East Surrey and West Surrey on 1 April 2027.
    assert len(LAS.current(dt.date(2027, 4, 1))) == 154


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Leeds", ["Leeds"]),
        ("leeds city council", ["Leeds"]),
        ("hull", ["Kingston upon Hull"]),
        ("BCP", ["Bournemouth, Christchurch and Poole"]),
        ("we live in kent", ["Kent"]),
        ("Manchestr", ["Manchester"]),
        ("sheffeild", ["Sheffield"]),
        ("Durham County Council", ["Durham"]),
        ("tyneside", ["North Tyneside", "South Tyneside"]),
        ("Narnia", []),
    ],
)
def test_a_council_is_found_from_what_a_parent_types(typed: str, found: list[str]) -> None:
    assert [la.name for la in LAS.find(typed)][: len(found) or None] == found


@pytest.mark.parametrize(
    ("typed", "age"),
    [
        ("9", 9),
        ("nine", 9),
        ("9 years old", 9),
        ("she's 12", 12),
        ("Year 4", 9),
        ("yr 7", 12),
        ("reception", 4),
        ("nursery", 3),
        ("26", None),
        ("year 20", None),
        ("soon", None),
    ],
)
def test_ages_and_school_years(typed: str, age: int | None) -> None:
    assert read_age(typed) == age


def test_local_authority_file_path_exists() -> None:
    assert Path(PROJECT_ROOT / "knowledge" / "local_authorities.yml").is_file()
