"""Crisis rules as data: plain-English rules, each with examples and near misses.

The built-in rules (bot/safety/rules.yml) ship with the code and cannot be edited
or removed in the content editor. Admins may add rules of their own in
`flows/crisis.yml` under `data: rules:`, in the same shape; they only ever add to
the built-in ones. Every rule's examples must match it and its near misses must
not (`python -m bot check` runs them all), and the shipped regression set
(bot/safety/regression.yml) must be flagged by the rules on every publish.

Rules read the whole message, folded (lower case, straight quotes), so a crisis
anywhere in it is found however it is split. bot/safety/matching.py runs them:
only the patterns whose words are in the message, and only near those words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.content.safe_yaml import safe_load
from bot.reading.sentences import fold
from bot.safety.matching import Matching, RuleMatcher

BUILT_IN_RULES = Path(__file__).with_name("rules.yml")
REGRESSION_SET = Path(__file__).with_name("regression.yml")

CRISIS_KINDS = (
    "suicidal_thoughts",
    "self_harm",
    "overdose",
    "not_eating_drinking",
    "abuse_violence",
    "parent_may_harm",
    "missing_child",
    "restraint_seclusion",
    "grooming_exploitation",
    "medical_emergency",
)
LEVELS = ("crisis", "borderline", "everyday")
_WORD_REFERENCE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: str
    kind: str | None
    means: str
    patterns: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...] = ()
    near_misses: tuple[str, ...] = ()
    built_in: bool = True

    def matches(self, folded: str) -> bool:
        return any(pattern.search(folded) for pattern in self.patterns)


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: str
    level: str
    kind: str | None


@dataclass(slots=True)
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _matcher: RuleMatcher | None = field(default=None, init=False, repr=False, compare=False)

    def match(self, text: str, *, already_folded: bool = False) -> list[RuleMatch]:
        folded = text if already_folded else fold(text)
        return self.match_folded(folded)[0]

    def match_folded(self, folded: str) -> tuple[list[RuleMatch], Matching]:
        """match() of a folded text, and what was learnt reading it (for its sentences)."""
        matcher = self.matcher()
        indexes, matching = matcher.match(folded)
        rules = matcher.rules
        return [RuleMatch(rules[i].id, rules[i].level, rules[i].kind) for i in indexes], matching

    def matcher(self) -> RuleMatcher:
        """The rules ready for fast matching (bot/safety/matching.py), rebuilt when they change."""
        if self._matcher is None or not self._matcher.serves(self.rules):
            self._matcher = RuleMatcher(self.rules)
        return self._matcher

    def with_rules(self, extra: RuleSet) -> RuleSet:
        return RuleSet(self.rules + extra.rules, self.problems + extra.problems)


def _expand(pattern: str, words: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ValueError("word lists refer to each other too deeply")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in words:
            return match.group(0)  # a regex repetition such as {2,} stays as it is
        return _expand(words[name], words, depth + 1)

    return _WORD_REFERENCE.sub(replace, pattern)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError("must be a list of strings")


def parse_rules(
    items: Any, words: dict[str, str], where: str, built_in: bool, taken: set[str] | None = None
) -> RuleSet:
    """Rules from their data; each problem is one line naming the file and the rule."""
    result = RuleSet()
    taken = set() if taken is None else taken
    if items is None:
        return result
    if not isinstance(items, list):
        result.problems.append(f"{where}: crisis rules must be a list")
        return result
    for index, item in enumerate(items, start=1):
        label = f"{where}: crisis rule {index}"
        if not isinstance(item, dict):
            result.problems.append(f"{label} must be a mapping with id, means and patterns")
            continue
        rule_id = str(item.get("id") or "")
        label = f"{where}: crisis rule '{rule_id or index}'"
        level = str(item.get("level") or "crisis")
        kind = item.get("kind")
        try:
            if not rule_id:
                raise ValueError("needs an id")
            if rule_id in taken:
                raise ValueError("has the same id as another rule")
            if level not in LEVELS:
                raise ValueError(f"level must be one of {', '.join(LEVELS)}")
            if level == "crisis" and kind not in CRISIS_KINDS:
                raise ValueError(f"kind must be one of {', '.join(CRISIS_KINDS)}")
            if not str(item.get("means") or "").strip():
                raise ValueError("needs 'means': what it catches, in plain English")
            sources = _strings(item.get("patterns"))
            if not sources:
                raise ValueError("needs at least one pattern")
            examples = _strings(item.get("examples"))
            if not examples and not built_in:
                raise ValueError("needs at least one example that must match")
            compiled = []
            for source in sources:
                try:
                    compiled.append(re.compile(_expand(source, words)))
                except re.error as exc:
                    raise ValueError(f"pattern {source!r} is not valid: {exc}") from None
        except ValueError as problem:
            result.problems.append(f"{label} {problem}")
            continue
        taken.add(rule_id)
        result.rules.append(
            Rule(
                rule_id,
                level,
                str(kind) if kind else None,
                str(item["means"]).strip(),
                tuple(compiled),
                tuple(examples),
                tuple(_strings(item.get("near_misses"))),
                built_in,
            )
        )
    return result


def example_problems(rules: RuleSet, where: str) -> list[str]:
    """Each example that its rule misses, and each near miss it catches."""
    problems = []
    for rule in rules.rules:
        for example in rule.examples:
            if not rule.matches(fold(example)):
                problems.append(
                    f"{where}: crisis rule '{rule.id}' does not match its example {example!r}"
                )
        for near in rule.near_misses:
            if rule.matches(fold(near)):
                problems.append(f"{where}: crisis rule '{rule.id}' matches its near miss {near!r}")
    return problems


@lru_cache(maxsize=1)
def _built_in_document() -> dict[str, Any]:
    return safe_load(BUILT_IN_RULES.read_text(encoding="utf-8"), "bot/safety/rules.yml")


def _words() -> dict[str, str]:
    """The shared word lists ({child}, {self}...), which admins' rules may use too."""
    return {str(k): str(v) for k, v in (_built_in_document().get("words") or {}).items()}


@lru_cache(maxsize=1)
def built_in_rules() -> RuleSet:
    """The shipped rules, compiled once per process."""
    rules = _built_in_document().get("rules")
    return parse_rules(rules, _words(), "bot/safety/rules.yml", built_in=True)


def content_rules(flow_data: dict[str, Any] | None, where: str = "flows/crisis.yml") -> RuleSet:
    """Rules admins added in the crisis flow's `data: rules:` block."""
    taken = {rule.id for rule in built_in_rules().rules}
    items = (flow_data or {}).get("rules")
    return parse_rules(items, _words(), where, built_in=False, taken=taken)


@dataclass(frozen=True, slots=True)
class RegressionMessage:
    text: str
    kinds: tuple[str, ...]


@lru_cache(maxsize=1)
def regression_set() -> tuple[RegressionMessage, ...]:
    document = safe_load(REGRESSION_SET.read_text(encoding="utf-8"), "bot/safety/regression.yml")
    return tuple(
        RegressionMessage(str(item["text"]), tuple(item.get("kinds") or ()))
        for item in document.get("messages") or []
    )


def regression_problems(rules: RuleSet) -> list[str]:
    """Shipped crisis messages that these rules would no longer flag as a crisis."""
    problems = []
    for message in regression_set():
        found = [m for m in rules.match(message.text) if m.level == "crisis"]
        if not found:
            problems.append(
                f"bot/safety/regression.yml: this crisis message is no longer flagged: "
                f"{message.text[:80]!r}"
            )
    return problems
