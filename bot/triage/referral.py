"""Referral categories and the rules that choose one, read from flows/triage.yml.

The rules are data so that admins can change them:

    data:
      referral:
        answers: [child_age, setting, ...]       # what is stored with the referral
        categories:                              # the first rule that holds wins
          - {category: exclusion, when: ["concerns has exclusion"]}
        default_category: sen_support
        urgent:                                  # any rule that holds makes it urgent
          - ["category == exclusion"]

Each `when` is a list of conditions that must all hold (see bot/flows/conditions.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.flows.conditions import ConditionError, parse_condition
from bot.flows.schema import data_problems
from bot.triage.local_authorities import contact_variables

log = logging.getLogger(__name__)

# The referral categories of shared/CONTENT.md, with their default urgency.
CATEGORIES: dict[str, str] = {
    "crisis": "crisis",
    "ehcp": "routine",
    "disputes": "routine",
    "equality": "routine",
    "exclusion": "urgent",
    "attendance": "routine",
    "sen_support": "routine",
    "wellbeing": "routine",
    "transition": "routine",
}
URGENCIES = ("routine", "urgent", "crisis")


def _conditions(value: list[str]) -> list[str]:
    for source in value:
        parse_condition(source)
    return value


class CategoryRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    when: list[str] = Field(min_length=1)

    @field_validator("category")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category '{value}'; use one of {', '.join(CATEGORIES)}")
        return value

    _readable = field_validator("when")(_conditions)


class ReferralRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: list[str] = Field(default_factory=list)
    categories: list[CategoryRule] = Field(min_length=1)
    default_category: str = "sen_support"
    urgent: list[list[str]] = Field(default_factory=list)

    @field_validator("urgent")
    @classmethod
    def _readable_urgent(cls, value: list[list[str]]) -> list[list[str]]:
        for rule in value:
            _conditions(rule)
        return value

    @field_validator("default_category")
    @classmethod
    def _known_default(cls, value: str) -> str:
        return CategoryRule._known(value)


@dataclass(frozen=True, slots=True)
class Referral:
    category: str
    urgency: str
    answers: dict[str, Any]


def rules_problems(flow_data: dict[str, Any]) -> list[str]:
    """What is wrong with a triage flow's `data.referral` block, one line each."""
    if "referral" not in flow_data:
        return ["data.referral is missing: the triage rules must be in flows/triage.yml"]
    try:
        ReferralRules.model_validate(flow_data["referral"])
    except ValidationError as exc:
        return data_problems(exc, "data.referral")
    except ConditionError as exc:
        return [f"data.referral: {exc}"]
    return []


def _all_hold(conditions: list[str], variables: dict[str, Any]) -> bool:
    return all(parse_condition(source).holds(variables) for source in conditions)


def decide(rules: ReferralRules, variables: dict[str, Any]) -> Referral:
    category = next(
        (rule.category for rule in rules.categories if _all_hold(rule.when, variables)),
        rules.default_category,
    )
    urgency = CATEGORIES[category]
    seen = {**variables, "category": category}
    if urgency == "routine" and any(_all_hold(rule, seen) for rule in rules.urgent):
        urgency = "urgent"
    answers = {key: variables[key] for key in rules.answers if variables.get(key) not in (None, "")}
    return Referral(category, urgency, answers)


def triage_referral_action(context: ActionContext) -> ActionResult:
    try:
        rules = ReferralRules.model_validate(context.flow_data.get("referral") or {})
    except (ValidationError, ConditionError):
        # `check` reports bad rules; a parent still gets a referral, never an error.
        log.error("triage rules in flows/triage.yml are invalid; using the default category")
        rules = ReferralRules(categories=[CategoryRule(category="sen_support", when=["x is set"])])
    referral = decide(rules, context.variables)
    # The parent's council, for links to its Local Offer and SENDIASS (or a search hint).
    authorities = getattr(context.content, "local_authorities", None)
    area = context.variables.get("local_authority")
    council = authorities.by_name(str(area), on=context.today) if authorities and area else None
    return ActionResult(
        variables={
            "referral_category": referral.category,
            "referral_urgency": referral.urgency,
            **contact_variables(council),
        },
        referral={
            "category": referral.category,
            "urgency": referral.urgency,
            "answers": referral.answers,
        },
    )


def register(registry: ActionRegistry) -> None:
    registry.register("triage_referral")(triage_referral_action)
