"""Crisis screening measured on a labelled set: recall by kind and by form, false alarms.

A set is a YAML file of `messages`, each with `text`, `crisis` (true/false),
`kinds` (for crises), `form` ("alone" or "long"), `messy`, and `borderline` for
the "I can't do this anymore" kind of message (reported apart: they get a
check-in, which is neither a miss nor a false alarm). Three sets are kept apart:
nlu_data/dev/crisis_dev.yml (tuned on), nlu_data/test/crisis_heldout.yml
(frozen, reported) and nlu_data/test/crisis_fresh.yml (written last, for the
final figure). Training never reads any of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.reading.reader import MessageReader
from bot.safety.rules import CRISIS_KINDS, RuleSet


@dataclass(slots=True)
class Tally:
    found: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0


@dataclass(slots=True)
class CrisisEvaluation:
    name: str
    crises: int = 0
    negatives: int = 0
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_form: dict[str, Tally] = field(default_factory=dict)
    kind_named: Tally = field(default_factory=Tally)  # crises whose kind was among those found
    missed: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    borderline: Tally = field(default_factory=Tally)  # checked in (level borderline or crisis)
    seconds: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        found = self.crises - len(self.missed)
        return found / self.crises if self.crises else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.negatives if self.negatives else 0.0

    def as_dict(self, show_messages: bool = True) -> dict[str, Any]:
        """The figures; the missed and falsely flagged messages too, unless `show_messages`
        is off (see report_lines): then only how many."""
        return {
            "set": self.name,
            "crises": self.crises,
            "negatives": self.negatives,
            "recall": round(self.recall, 4),
            "recall_by_kind": {k: round(t.rate, 4) for k, t in sorted(self.by_kind.items())},
            "recall_by_form": {k: round(t.rate, 4) for k, t in sorted(self.by_form.items())},
            "kind_named": round(self.kind_named.rate, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "false_alarms": self.false_alarms if show_messages else len(self.false_alarms),
            "missed": self.missed if show_messages else len(self.missed),
            "borderline_checked_in": round(self.borderline.rate, 4),
            "borderline": self.borderline.total,
        }


def load_set(path: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [m for m in document.get("messages") or [] if isinstance(m, dict) and m.get("text")]


def evaluate_set(
    name: str, messages: list[dict[str, Any]], reader: MessageReader, rules: RuleSet | None = None
) -> CrisisEvaluation:
    result = CrisisEvaluation(name)
    for kind in CRISIS_KINDS:
        result.by_kind[kind] = Tally()
    for message in messages:
        text = str(message["text"])
        started = time.perf_counter()
        screening = reader.read(text, rules).screening
        result.seconds.append(time.perf_counter() - started)
        form = str(message.get("form") or "alone")
        if message.get("borderline"):
            result.borderline.total += 1
            result.borderline.found += screening.level in ("borderline", "crisis")
            continue
        if not message.get("crisis"):
            result.negatives += 1
            if screening.crisis:
                result.false_alarms.append(text)
            continue
        result.crises += 1
        kinds = [k for k in message.get("kinds") or [] if k in CRISIS_KINDS]
        tallies = [result.by_form.setdefault(form, Tally())]
        if message.get("messy"):
            tallies.append(result.by_form.setdefault("messy", Tally()))
        tallies += [result.by_kind[k] for k in kinds]
        for tally in tallies:
            tally.total += 1
            tally.found += screening.crisis
        if screening.crisis:
            result.kind_named.total += 1
            result.kind_named.found += bool(set(kinds) & set(screening.kinds))
        else:
            result.missed.append({"text": text, "kinds": kinds, "form": form})
    return result


def report_lines(result: CrisisEvaluation, show_messages: bool = True) -> list[str]:
    """The figures, then each miss and false alarm unless `show_messages` is off (a set
    kept for measuring only: whoever tunes the screen must not read its messages)."""
    lines = [
        f"crisis set {result.name}: {result.crises} crises, {result.negatives} negatives, "
        f"{result.borderline.total} borderline",
        f"  recall {result.recall:.3f}  false alarms {result.false_alarm_rate:.1%} "
        f"({len(result.false_alarms)})  kind named {result.kind_named.rate:.3f}  "
        f"borderline checked in {result.borderline.rate:.3f}",
        "  recall by form: "
        + ", ".join(
            f"{k} {t.rate:.3f} ({t.found}/{t.total})" for k, t in sorted(result.by_form.items())
        ),
        "  recall by kind: "
        + ", ".join(f"{k} {t.rate:.3f}" for k, t in sorted(result.by_kind.items()) if t.total),
    ]
    if not show_messages:
        return [*lines, "  (misses and false alarms not shown: this set is for measuring only)"]
    lines += [
        f"  MISSED CRISIS ({', '.join(m['kinds'])}, {m['form']}): {m['text']!r}"
        for m in result.missed
    ]
    lines += [f"  FALSE ALARM: {text!r}" for text in result.false_alarms]
    return lines
