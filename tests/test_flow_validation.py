"""A bad flow is refused with its file, line and node in one line; the rest keep working."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core.actions import default_actions
from bot.flows.loader import load_flow_dir, parse_flow
from bot.knowledge.articles import load_library

GOOD = """\
id: sample
title: Sample
start: intro
nodes:
  intro:
    say: Hello
    buttons:
      - {label: Next, goto: ask}
  ask:
    ask: How old?
    expect: number
    save: age
    next: done
  done:
    say: Thanks
"""


def problems_of(text: str) -> list[str]:
    library = load_library(PROJECT_ROOT / "knowledge")
    parsed = parse_flow(
        textwrap.dedent(text), "flows/sample.yml", library.has, default_actions().has
    )
    assert parsed.flow is None, "expected the flow to be refused"
    return [str(p) for p in parsed.problems]


def test_a_good_flow_loads() -> None:
    parsed = parse_flow(GOOD, "flows/sample.yml")
    assert parsed.flow is not None and parsed.problems == []
    assert parsed.flow.nodes["ask"].kind == "ask"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("goto: ask", "goto: nowhere"),
            "flows/sample.yml:8: node 'intro': leads to 'nowhere', which is not a node in this flow",
        ),
        (
            ("    next: done\n", "    next: done\n    colour: blue\n"),
            "flows/sample.yml:14: node 'ask': unknown key 'colour'",
        ),
        (
            ("expect: number", "expect: shoe size"),
            "flows/sample.yml:11: node 'ask': expect: Input should be 'date', 'number', 'yes_no', "
            "'choice', 'text', 'age', 'local_authority' or 'option'",
        ),
        (("    save: age\n", ""), "flows/sample.yml:9: node 'ask': an 'ask' node needs 'save'"),
        (
            ("    say: Thanks\n", "    say: Thanks\n    goto: intro\n"),
            "flows/sample.yml:14: node 'done': a node needs exactly one of say, ask, article, action, "
            "goto, flow, when (found: say, goto)",
        ),
        (
            ("    say: Thanks\n", "    next: intro\n"),
            "flows/sample.yml:14: node 'done': a node needs exactly one of say, ask, article, action, "
            "goto, flow, when (found: none)",
        ),
        (
            ("    say: Thanks\n", "    say: Thanks\n    multiple: true\n"),
            "flows/sample.yml:14: node 'done': 'multiple' cannot be used on a 'say' node",
        ),
        (
            ("start: intro", "start: beginning"),
            "flows/sample.yml:1: start node 'beginning' is not one of the nodes",
        ),
        (
            ("say: Hello", "say: Hello {name"),
            "flows/sample.yml:6: node 'intro': unbalanced { } in text",
        ),
        (
            ("say: Hello", "say: Hello {Bad Name}"),
            "flows/sample.yml:6: node 'intro': placeholder {Bad Name} should look like",
        ),
        (
            ("  done:\n    say: Thanks\n", "  done:\n    article: no-such-article\n"),
            "flows/sample.yml:15: node 'done': article 'no-such-article' does not exist",
        ),
        (
            ("  done:\n    say: Thanks\n", "  done:\n    action: launch_rocket\n"),
            "flows/sample.yml:15: node 'done': action 'launch_rocket' is not registered",
        ),
        (
            ("      - {label: Next, goto: ask}", "      - {label: Is this next?, goto: ask}"),
            "flows/sample.yml:8: not valid YAML: expected ',' or '}', but got '?' "
            "(put text containing ? : or , in quotes)",
        ),
        (
            ("      - {label: Next, goto: ask}", "      - {label: Next}"),
            "flows/sample.yml:8: node 'intro': a button needs exactly one of 'goto' (a node), 'flow' or 'word' (menu, back...)",
        ),
        (
            (
                "    say: Thanks\n",
                "    when:\n      - {if: age >> 3, goto: intro}\n    else: intro\n",
            ),
            "flows/sample.yml:16: node 'done': cannot read condition 'age >> 3'; write e.g. 'age >= 16'",
        ),
        (
            ("  done:\n    say: Thanks\n", "  Done Node:\n    say: Thanks\n"),
            "flows/sample.yml:14: node 'Done Node': 'Done Node' is not a valid name: "
            "use lower-case letters, digits and _",
        ),
    ],
)
def test_each_mistake_is_named_with_file_line_and_node(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD
    found = problems_of(GOOD.replace(old, new))
    assert any(expected in line for line in found), found
    assert all("\n" not in line for line in found)


def test_a_bad_file_is_refused_and_the_rest_keep_working(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    (flows / "ehcp.yml").write_text(
        "id: ehcp\ntitle: Broken\nstart: intro\nnodes:\n  intro:\n    say: [unclosed\n"
    )
    loaded = load_flow_dir(flows)
    assert "ehcp" not in loaded.flows
    assert {"welcome", "main", "system", "rights"} <= set(loaded.flows)
    messages = [str(p) for p in loaded.problems]
    assert any(m.startswith("flows/ehcp.yml:") and "not valid YAML" in m for m in messages)
    # The main menu still loads; its EHC plans button is reported as leading nowhere.
    assert any("flows/main.yml" in m and "flow 'ehcp', which is not loaded" in m for m in messages)


def test_on_reload_a_refused_flow_keeps_its_last_good_version(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    first = load_flow_dir(flows)
    (flows / "rights.yml").write_text("id: rights\ntitle: Oops\n")
    second = load_flow_dir(flows, previous=first)
    assert second.flows["rights"] is first.flows["rights"]
    assert any("flows/rights.yml" in str(p) for p in second.errors)


def test_flow_id_must_match_its_file_name(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "sample.yml").write_text(GOOD.replace("id: sample", "id: other"))
    loaded = load_flow_dir(flows)
    assert "other" not in loaded.flows
    assert any("must match the file name 'sample'" in str(p) for p in loaded.problems)


def test_the_shipped_flows_are_all_valid() -> None:
    library = load_library(PROJECT_ROOT / "knowledge")
    loaded = load_flow_dir(PROJECT_ROOT / "flows", library.has, default_actions().has)
    assert [str(p) for p in loaded.problems] == []
    assert {"welcome", "main", "system", "rights", "ehcp", "triage", "champion", "dropin"} <= set(
        loaded.flows
    )
