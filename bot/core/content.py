"""The published flows and articles the runner reads, swappable as a whole.

Reloading builds a new `Content` and swaps the reference, so a conversation step
always sees one consistent version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.flows.schema import FlowSpec, NodeSpec
from bot.knowledge.answer_index import AnswerIndex
from bot.knowledge.articles import AnswerCard, Article, Library
from bot.knowledge.letters import Letters
from bot.knowledge.search import KnowledgeIndex
from bot.reading.requests import FlowRequests
from bot.safety.rules import RuleSet, built_in_rules, content_rules
from bot.triage.local_authorities import LocalAuthorities

# Used only if the `system` flow itself is missing, so a parent never gets silence.
_LAST_RESORT = "Sorry, something went wrong on our side. Please type menu to start again."


@dataclass(slots=True)
class Content:
    flows: dict[str, FlowSpec] = field(default_factory=dict)
    library: Library = field(default_factory=Library)
    local_authorities: LocalAuthorities = field(default_factory=LocalAuthorities)
    letters: Letters = field(default_factory=Letters)
    # intent -> (flow, node) that answers it; built from the nodes' `intents`.
    intent_targets: dict[str, tuple[str, str]] = field(init=False)
    search_index: KnowledgeIndex = field(init=False)
    answer_index: AnswerIndex = field(init=False)
    # Typed requests for a flow ("write a letter"), from the nodes' `requests`.
    flow_requests: FlowRequests = field(init=False)
    # The built-in crisis rules plus any an admin added in flows/crisis.yml.
    crisis_rules: RuleSet = field(init=False)

    def __post_init__(self) -> None:
        self.search_index = KnowledgeIndex(list(self.library.articles.values()))
        self.answer_index = AnswerIndex.cached(self.library)
        crisis = self.flows.get("crisis")
        self.crisis_rules = built_in_rules().with_rules(
            content_rules(crisis.data if crisis else {})
        )
        self.intent_targets = {}
        requests: list[tuple[str, str, str]] = []
        for flow in self.flows.values():
            for name, node in flow.nodes.items():
                for intent in node.intents:
                    self.intent_targets.setdefault(intent, (flow.id, name))
                requests.extend((phrase, flow.id, name) for phrase in node.requests)
        self.flow_requests = FlowRequests(requests)

    def intent_label(self, intent: str) -> str | None:
        target = self.intent_targets.get(intent)
        if target is None:
            return None
        node = self.node(*target)
        return (node.label if node else None) or self.flows[target[0]].title

    def node(self, flow_id: str, node_id: str) -> NodeSpec | None:
        flow = self.flows.get(flow_id)
        return flow.nodes.get(node_id) if flow else None

    def start_of(self, flow_id: str) -> str | None:
        flow = self.flows.get(flow_id)
        return flow.start if flow else None

    def system_text(self, key: str) -> str:
        """A message from flows/system.yml, e.g. 'not_understood'."""
        node = self.node("system", key)
        if node is None or node.say is None:
            return _LAST_RESORT
        return node.say

    def article(self, article_id: str) -> Article | None:
        return self.library.articles.get(article_id)

    def answer(self, answer_id: str) -> tuple[Article, AnswerCard] | None:
        """An answer card and the article it belongs to."""
        return self.library.answers.get(answer_id)


class ContentHolder:
    """Holds the current content; `replace` publishes a new version atomically."""

    def __init__(self, content: Content, release_id: int = 0) -> None:
        self.current = content
        self.release_id = release_id  # which published release this is (bot/content)

    def replace(self, content: Content, release_id: int | None = None) -> None:
        self.current = content
        if release_id is not None:
            self.release_id = release_id
