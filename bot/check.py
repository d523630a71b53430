"""`python -m bot check`: validate flows/, knowledge/ and nlu_data/ before publishing."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.core.actions import ActionRegistry, default_actions
from bot.flows.loader import FlowSet, load_flow_dir
from bot.handoff.config import config_problems
from bot.knowledge.articles import Library, SourceUse, load_library
from bot.knowledge.letters import load_letters
from bot.knowledge.readability import Readability, library_readability
from bot.nlu.data import load_training_data
from bot.safety.crisis_training import load_crisis_training
from bot.safety.rules import built_in_rules, content_rules, example_problems, regression_problems
from bot.triage.local_authorities import council_problems
from bot.triage.referral import rules_problems


@dataclass(slots=True)
class ContentCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    flows: int = 0
    articles: int = 0
    answers: int = 0
    letters: int = 0
    # every source an article or answer cites, with when it was last verified
    sources: list[SourceUse] = field(default_factory=list)
    sources_total: str = ""
    readability: Readability = field(default_factory=Readability)


def check_content(
    flows_dir: Path,
    knowledge_dir: Path,
    actions: ActionRegistry | None = None,
    today: dt.date | None = None,
) -> ContentCheck:
    """Every problem in flows/ and knowledge/, one line each (what `check` and the admin
    editor both use, so the editor publishes nothing `check` would refuse)."""
    result = ContentCheck()
    today = today or dt.date.today()
    library = load_library(knowledge_dir, today)
    for problem in library.problems:
        (result.warnings if problem.warning else result.errors).append(str(problem))
    result.warnings.extend(_source_warnings(library, today, result))
    result.readability = library_readability(library)
    result.warnings.extend(result.readability.warnings)
    flows = load_flow_dir(flows_dir, library.has, (actions or default_actions()).has)
    result.errors.extend(str(problem) for problem in flows.problems)
    triage = flows.flows.get("triage")
    if triage is not None:
        where = flows.files.get("triage", "flows/triage.yml")
        result.errors.extend(f"{where}: {line}" for line in rules_problems(triage.data))
    champion = flows.flows.get("champion")
    if champion is not None:
        where = flows.files.get("champion", "flows/champion.yml")
        result.errors.extend(
            f"{where}: {line}" for line in config_problems(champion.data, set(champion.nodes))
        )
    result.errors.extend(_crisis_rule_problems(flows))
    letters = load_letters(knowledge_dir / "letters")
    result.errors.extend(letters.problems)
    councils = knowledge_dir / "local_authorities.yml"
    if councils.exists():
        result.errors.extend(council_problems(councils))
    result.flows, result.articles, result.answers, result.letters = (
        len(flows.flows),
        len(library.articles),
        len(library.answers),
        len(letters.letters),
    )
    return result


def _source_warnings(library: Library, today: dt.date, result: ContentCheck) -> list[str]:
    """A warning for each source never verified, or verified over 12 months ago."""
    result.sources = list(library.sources)
    warnings, never, old = [], 0, 0
    for use in library.sources:
        if not use.stale(today):
            continue
        where = f"answer '{use.answer_id}'" if use.answer_id else "the article"
        label = use.source.title + (f", {use.source.section}" if use.source.section else "")
        if use.verified is None:
            never += 1
            when = "has never been verified"
        else:
            old += 1
            when = f"was last verified {use.verified.isoformat()}, over 12 months ago"
        warnings.append(f"{use.file}:{use.line}: warning: source of {where} ({label}) {when}")
    total = len(library.sources)
    result.sources_total = (
        f"sources: {total - never - old} of {total} verified in the last 12 months; "
        f"{never} never verified, {old} verified over 12 months ago"
    )
    return warnings


def _crisis_rule_problems(flows: FlowSet) -> list[str]:
    """Every crisis rule's examples and near misses, and the shipped regression set.

    The built-in rules are always there and admins can only add to them, so a
    publish can never stop flagging a message the regression set holds."""
    crisis = flows.flows.get("crisis")
    where = flows.files.get("crisis", "flows/crisis.yml")
    built_in = built_in_rules()
    added = content_rules(crisis.data if crisis else {}, where)
    problems = built_in.problems + added.problems
    problems += example_problems(built_in, "bot/safety/rules.yml")
    problems += example_problems(added, where)
    problems += regression_problems(built_in.with_rules(added))
    return problems


def run_check(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Print each problem on one line; return 1 if any is an error."""
    content = check_content(settings.flows_dir, settings.knowledge_dir)
    for line in content.warnings + content.errors:
        print(line, file=out)
    for line in content.readability.lines():
        print(line, file=out)
    print(content.sources_total, file=out)
    errors = len(content.errors)
    nlu = load_training_data(settings.nlu_data_dir, include_test=True)
    for line in nlu.problems + load_crisis_training(settings.nlu_data_dir).problems:
        print(line, file=out)
        errors += 1
    examples = sum(len(v) for v in nlu.examples.values())
    print(
        f"checked {content.flows} flows, {content.articles} articles "
        f"({content.answers} answers), "
        f"{content.letters} letters, "
        f"{len(nlu.examples)} intents ({examples} examples): "
        f"{errors} error(s), {len(content.warnings)} warning(s)",
        file=out,
    )
    return 1 if errors else 0
