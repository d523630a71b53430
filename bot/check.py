"""`python -m bot check`: validate flows/, knowledge/ and nlu_data/ before publishing."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.config import Settings
from bot.core.actions import default_actions
from bot.flows.loader import load_flow_dir
from bot.handoff.config import config_problems
from bot.knowledge.articles import load_library
from bot.knowledge.letters import load_letters
from bot.nlu.data import load_training_data
from bot.triage.referral import rules_problems


def run_check(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Print each problem on one line; return 1 if any is an error."""
    errors = warnings = 0
    library = load_library(settings.knowledge_dir)
    for problem in library.problems:
        print(problem, file=out)
        warnings += problem.warning
        errors += not problem.warning
    flows = load_flow_dir(settings.flows_dir, library.has, default_actions().has)
    for problem in flows.problems:
        print(problem, file=out)
        errors += 1
    triage = flows.flows.get("triage")
    if triage is not None:
        for line in rules_problems(triage.data):
            print(f"{flows.files.get('triage', 'flows/triage.yml')}: {line}", file=out)
            errors += 1
    champion = flows.flows.get("champion")
    if champion is not None:
        for line in config_problems(champion.data, set(champion.nodes)):
            print(f"{flows.files.get('champion', 'flows/champion.yml')}: {line}", file=out)
            errors += 1
    letters = load_letters(settings.knowledge_dir / "letters")
    for line in letters.problems:
        print(line, file=out)
        errors += 1
    nlu = load_training_data(settings.nlu_data_dir, include_test=True)
    for line in nlu.problems:
        print(line, file=out)
        errors += 1
    examples = sum(len(v) for v in nlu.examples.values())
    print(
        f"checked {len(flows.flows)} flows, {len(library.articles)} articles, "
        f"{len(letters.letters)} letters, "
        f"{len(nlu.examples)} intents ({examples} examples): "
        f"{errors} error(s), {warnings} warning(s)",
        file=out,
    )
    return 1 if errors else 0
