"""Read flows/*.yml into validated flows, refusing bad files one at a time.

Every problem is one line: `flows/ehcp.yml:14: node 'intro': goto 'nowhere' is not
a node in this flow`. A bad file never stops the good ones from serving, and when
flows are reloaded a flow whose new version is bad keeps its last good version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.flows.schema import FlowSpec, NodeSpec
from bot.flows.yaml_lines import YamlError, line_for, load_with_lines
from bot.safety.message import missing_numbers

log = logging.getLogger(__name__)

# Flows the engine itself relies on; `check` insists they exist.
REQUIRED_FLOWS = ("welcome", "main", "system", "crisis", "champion")


@dataclass(frozen=True, slots=True)
class FlowProblem:
    file: str
    line: int
    message: str
    node: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"node '{self.node}': " if self.node else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


@dataclass(slots=True)
class FlowSet:
    """The flows currently serving, by id, and what was wrong with the rest."""

    flows: dict[str, FlowSpec] = field(default_factory=dict)
    problems: list[FlowProblem] = field(default_factory=list)
    # Where each flow came from and its key-to-line map, for precise messages.
    files: dict[str, str] = field(default_factory=dict)
    lines: dict[str, dict] = field(default_factory=dict)

    @property
    def errors(self) -> list[FlowProblem]:
        return [p for p in self.problems if not p.warning]


@dataclass(slots=True)
class ParsedFlow:
    flow: FlowSpec | None
    problems: list[FlowProblem]
    lines: dict = field(default_factory=dict)


def parse_flow(
    text: str,
    file: str,
    known_articles: Callable[[str], bool] | None = None,
    known_actions: Callable[[str], bool] | None = None,
) -> ParsedFlow:
    """Validate one flow document; returns the flow, or None and why not."""
    try:
        data, lines = load_with_lines(text)
    except YamlError as exc:
        return ParsedFlow(None, [FlowProblem(file, exc.line, str(exc))])
    if not isinstance(data, dict):
        message = "a flow file must be a mapping with id, title, start, nodes"
        return ParsedFlow(None, [FlowProblem(file, 1, message)])
    try:
        flow = FlowSpec.model_validate(data)
    except ValidationError as exc:
        return ParsedFlow(None, [_problem_from_error(file, lines, err) for err in exc.errors()])
    problems = _internal_references(flow, file, lines, known_articles, known_actions)
    if problems:
        return ParsedFlow(None, problems, lines)
    return ParsedFlow(flow, [], lines)


def _problem_from_error(file: str, lines: dict, err: dict) -> FlowProblem:
    loc = tuple(err["loc"])
    node = str(loc[1]) if len(loc) >= 2 and loc[0] == "nodes" else None
    field_path = [str(p) for p in loc[2:]] if node else [str(p) for p in loc]
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = f"unknown key '{loc[-1]}'"
    elif "[key]" in loc:
        message = f"'{loc[-2]}' is not a valid name: use lower-case letters, digits and _"
    elif field_path and err["type"] != "value_error":
        message = f"{'.'.join(field_path)}: {message}"
    return FlowProblem(file, line_for(lines, loc), message, node)


def _node_references(name: str, node: NodeSpec) -> list[tuple[tuple, str]]:
    """(YAML path, target node) for each place a node leads within its flow."""
    base = ("nodes", name)
    found = [((*base, "buttons", i, "goto"), b.goto) for i, b in enumerate(node.buttons) if b.goto]
    for key, target in (("next", node.next), ("goto", node.goto), ("else", node.else_)):
        if target:
            found.append(((*base, key), target))
    found += [((*base, "when", i, "goto"), b.goto) for i, b in enumerate(node.when or [])]
    return found


def _flow_references(name: str, node: NodeSpec) -> list[tuple[tuple, str, str | None]]:
    """(YAML path, target flow, target node) for each place a node leads to another flow."""
    base = ("nodes", name)
    found = [
        ((*base, "buttons", i, "flow"), b.flow, b.node)
        for i, b in enumerate(node.buttons)
        if b.flow
    ]
    if node.flow:
        found.append(((*base, "flow"), node.flow, node.node))
    return found


def _internal_references(
    flow: FlowSpec,
    file: str,
    lines: dict,
    known_articles: Callable[[str], bool] | None,
    known_actions: Callable[[str], bool] | None,
) -> list[FlowProblem]:
    problems = []
    for name, node in flow.nodes.items():
        for path, target in _node_references(name, node):
            if target not in flow.nodes:
                message = f"leads to '{target}', which is not a node in this flow"
                problems.append(FlowProblem(file, line_for(lines, path), message, name))
        if node.article and known_articles and not known_articles(node.article):
            line = line_for(lines, ("nodes", name, "article"))
            problems.append(
                FlowProblem(file, line, f"article '{node.article}' does not exist", name)
            )
        if node.action and known_actions and not known_actions(node.action):
            line = line_for(lines, ("nodes", name, "action"))
            problems.append(
                FlowProblem(file, line, f"action '{node.action}' is not registered", name)
            )
    return problems


def cross_flow_problems(flow_set: FlowSet) -> list[FlowProblem]:
    """References to flows (or their nodes) that are not serving.

    These do not refuse the referring flow: the rest of it still works, and the
    engine answers kindly if a parent reaches the missing part. `check` fails on them.
    """
    problems = []
    flows = flow_set.flows
    for flow in flows.values():
        lines = flow_set.lines.get(flow.id, {})
        for name, node in flow.nodes.items():
            for path, target_flow, target_node in _flow_references(name, node):
                line = line_for(lines, path)
                target = flows.get(target_flow)
                if target is None:
                    message = f"leads to flow '{target_flow}', which is not loaded"
                elif target_node and target_node not in target.nodes:
                    message = f"leads to '{target_flow}.{target_node}', which does not exist"
                else:
                    continue
                problems.append(
                    FlowProblem(flow_set.files.get(flow.id, flow.id), line, message, name)
                )
    problems.extend(_intent_problems(flow_set))
    problems.extend(_crisis_problems(flow_set))
    for required in REQUIRED_FLOWS:
        if required not in flows:
            problems.append(
                FlowProblem("flows", 1, f"required flow '{required}' is missing or invalid")
            )
    return problems


def _intent_problems(flow_set: FlowSet) -> list[FlowProblem]:
    """Each intent may lead to one node only, or the parent's journey is ambiguous."""
    problems = []
    claimed: dict[str, str] = {}
    for flow in flow_set.flows.values():
        lines = flow_set.lines.get(flow.id, {})
        for name, node in flow.nodes.items():
            for intent in node.intents:
                here = f"{flow.id}.{name}"
                if intent in claimed:
                    file = flow_set.files.get(flow.id, flow.id)
                    line = line_for(lines, ("nodes", name, "intents"))
                    message = f"intent '{intent}' already leads to {claimed[intent]}"
                    problems.append(FlowProblem(file, line, message, name))
                else:
                    claimed[intent] = here
    return problems


def _crisis_problems(flow_set: FlowSet) -> list[FlowProblem]:
    flow = flow_set.flows.get("crisis")
    if flow is None:
        return []
    first = flow.nodes[flow.start]
    missing = missing_numbers(first.say or "")
    if not missing:
        return []
    file = flow_set.files.get("crisis", "crisis")
    line = line_for(flow_set.lines.get("crisis", {}), ("nodes", flow.start, "say"))
    message = f"the crisis message must keep every emergency number; missing {', '.join(missing)}"
    return [FlowProblem(file, line, message, flow.start)]


def load_flow_dir(
    directory: Path,
    known_articles: Callable[[str], bool] | None = None,
    known_actions: Callable[[str], bool] | None = None,
    previous: FlowSet | None = None,
) -> FlowSet:
    """Load every flow file; bad ones are reported and (if possible) keep their old version."""
    result = FlowSet()
    for path in sorted(directory.glob("*.yml")):
        shown = f"{directory.name}/{path.name}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result.problems.append(FlowProblem(shown, 1, f"cannot read file: {exc}"))
            continue
        parsed = parse_flow(text, shown, known_articles, known_actions)
        result.problems.extend(parsed.problems)
        flow = parsed.flow
        if flow is None:
            kept = _previous_version(previous, path.stem)
            if kept is not None:
                result.flows[kept.id] = kept
                log.warning("flow file %s refused; its last good version keeps serving", shown)
            continue
        if flow.id != path.stem:
            # One flow per file, named alike, so an admin always knows where to look.
            result.problems.append(
                FlowProblem(shown, 1, f"flow id '{flow.id}' must match the file name '{path.stem}'")
            )
            continue
        result.flows[flow.id] = flow
        result.files[flow.id] = shown
        result.lines[flow.id] = parsed.lines
    result.problems.extend(cross_flow_problems(result))
    return result


def _previous_version(previous: FlowSet | None, stem: str) -> FlowSpec | None:
    if previous is None:
        return None
    return previous.flows.get(stem)


def describe(problems: Iterable[FlowProblem]) -> str:
    return "\n".join(str(p) for p in problems)
