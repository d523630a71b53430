"""Simple conditions on saved variables, e.g. `age >= 16` or `has_plan is set`.

Kept deliberately small so admins can read and write them; anything richer belongs
in a registered action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_COMPARISON = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*([^<>=!\s].*?)\s*$")
_PRESENCE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s+is\s+(not\s+)?set\s*$")
_MEMBERSHIP = re.compile(r"^\s*([a-z][a-z0-9_]*)\s+(has|lacks)\s+(.+?)\s*$")


class ConditionError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Condition:
    variable: str
    operator: str  # one of == != >= <= > < set unset has lacks
    value: str = ""

    def holds(self, variables: dict[str, Any]) -> bool:
        present = variables.get(self.variable) not in (None, "")
        if self.operator == "set":
            return present
        if self.operator == "unset":
            return not present
        if self.operator in ("has", "lacks"):
            items = variables.get(self.variable)
            values = items if isinstance(items, list) else [items] if present else []
            found = any(str(v).casefold() == self.value.casefold() for v in values)
            return found if self.operator == "has" else not found
        if not present:
            return False
        return _compare(variables[self.variable], self.operator, self.value)


def parse_condition(source: str) -> Condition:
    match = _PRESENCE.match(source)
    if match:
        return Condition(match.group(1), "unset" if match.group(2) else "set")
    match = _MEMBERSHIP.match(source)
    if match:
        return Condition(match.group(1), match.group(2), match.group(3).strip().strip("'\""))
    match = _COMPARISON.match(source)
    if not match:
        raise ConditionError(
            f"cannot read condition {source!r}; write e.g. 'age >= 16', 'school is set' "
            "or 'concerns has exclusion'"
        )
    value = match.group(3).strip().strip("'\"")
    return Condition(match.group(1), match.group(2), value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(actual: Any, operator: str, expected: str) -> bool:
    left, right = _as_number(actual), _as_number(expected)
    if left is None or right is None:
        # Text comparison ignores case so "Yes" and "yes" match.
        left_text, right_text = str(actual).casefold(), expected.casefold()
        return {
            "==": left_text == right_text,
            "!=": left_text != right_text,
            ">=": left_text >= right_text,
            "<=": left_text <= right_text,
            ">": left_text > right_text,
            "<": left_text < right_text,
        }[operator]
    return {
        "==": left == right,
        "!=": left != right,
        ">=": left >= right,
        "<=": left <= right,
        ">": left > right,
        "<": left < right,
    }[operator]
