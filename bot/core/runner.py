"""Steps a conversation through its flow: the engine behind every channel.

The runner is pure: it reads the published content and changes a
`ConversationState` in memory, returning the replies. The dispatcher saves the
result in one transaction, so a failure here leaves nothing half-written.

Button payloads are `flow:node:choice` so a button pressed on an old message
(a stale button) can be recognised and the current step shown again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from bot.core import answers
from bot.core.actions import ActionContext, ActionRegistry
from bot.core.content import Content, ContentHolder
from bot.core.dates import uk_today
from bot.core.state import ConversationState
from bot.core.text import fill, whole_number
from bot.core.types import Button, Document, Reply
from bot.flows.schema import ButtonSpec, NodeSpec
from bot.knowledge.answer_index import AnswerHit
from bot.knowledge.articles import Article
from bot.knowledge.render import (
    answer_text,
    button_text,
    render_article,
    render_summary,
    source_label,
    source_record,
)
from bot.nlu.classifier import Prediction, word_count
from bot.reading.answering import SURE_SCORE, AnswerChoice, choose_answer
from bot.reading.requests import FlowRequests
from bot.safety.message import FALLBACK_TEXT
from bot.triage.local_authorities import LocalAuthority

log = logging.getLogger(__name__)

# "bot" means "back to the bot" after talking to a Parent Champion (see bot/core/dispatcher.py);
# said to the bot itself, it just shows the menu.
GLOBAL_WORDS = (
    "menu",
    "back",
    "help",
    "human",
    "stop",
    "bot",
    "agree",
    "mydata",
    "delete",
    "support",
)
# The parent's answer to the privacy notice, kept with the conversation.
CONSENT = "consent"
PRIVACY_FLOW = "privacy"
START_PAYLOAD = "global:start"  # sent by a web chat page opened for the first time
INTENT_PAYLOAD_PREFIX = "intent:"  # a "Did you mean..." button
ARTICLE_PAYLOAD_PREFIX = "article:"  # "Read more" and related-article buttons
ANSWER_PAYLOAD_PREFIX = "answer:"  # a related answer, or "Are you asking about..."
# Intents that ask for something the bot does rather than a fact: their flow wins.
OUT_OF_SCOPE = "out_of_scope"
# A message without a question this long is read as asking (parents often write the
# question without a question word); shorter ones are statements about a topic.
LONG_MESSAGE_WORDS = 25
# A statement this short ("the plan") is never answered with a card on its own.
SHORT_STATEMENT_WORDS = 6
# "Can I see my data?" is a request for the data; a long message that mentions
# "my data" may be about something else, and is read as any other message.
PRIVACY_REQUEST_WORDS = 10
FLOW_REQUEST_INTENTS = {"greeting", "goodbye", "talk_to_human", "book_dropin"}
# How many related answers an answer offers as buttons.
RELATED_ANSWERS = 2
# One or two words ("school", "the plan") are too little to jump to a topic on,
# however confident the classifier is; these intents are clear from one word.
SHORT_MESSAGE_WORDS = 3
CLEAR_FROM_ONE_WORD = {"greeting", "goodbye", "talk_to_human", "book_dropin"}
# Below this, typed words are not taken as picking a choice by their meaning.
CHOICE_BY_MEANING = 0.3
GLOBAL_PAYLOAD_PREFIX = "global:"
START_WORDS = {"start", "restart"}
MAX_STEPS_PER_MESSAGE = 50
CRISIS_FLOW = "crisis"


# Where the options an action offered are kept until the parent picks one.
OPTIONS_VARIABLE = "offered_options"


def offered_options(state: ConversationState) -> list[tuple[str, str]]:
    return [
        (str(o.get("label", "")), str(o.get("value", "")))
        for o in state.variables.get(OPTIONS_VARIABLE) or []
        if isinstance(o, dict)
    ]


def answer_payload(hit: AnswerHit) -> str:
    return f"{ANSWER_PAYLOAD_PREFIX}{hit.answer_id}"


class FlowLoopError(RuntimeError):
    """A flow moved through too many nodes without waiting for the parent."""


class FlowRunner:
    def __init__(
        self,
        content: ContentHolder,
        actions: ActionRegistry,
        confident: float = 0.4,
        today: Callable[[], dt.date] = uk_today,  # the parent's day, not the server's
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._content = content
        self._actions = actions
        self._confident = confident
        self._today = today
        self._now = now
        # The privacy flow's request phrases, compiled once per content version: they
        # are tried on every short typed message, and compiling them cost more than that.
        self._privacy_requests: tuple[Content, FlowRequests] | None = None

    # -- entry points -------------------------------------------------------

    def new_state(self) -> ConversationState:
        content = self._content.current
        return ConversationState(flow="welcome", node=content.start_of("welcome") or "start")

    async def begin(self, state: ConversationState, channel: str) -> list[Reply]:
        """A parent's very first message: greet them with the welcome flow."""
        return await self._run(state, "welcome", None, channel, remember=False)

    async def handle_payload(
        self, state: ConversationState, payload: str, channel: str
    ) -> list[Reply]:
        content = self._content.current
        if payload == START_PAYLOAD:
            return await self._restart(state, channel)
        if payload.startswith(ARTICLE_PAYLOAD_PREFIX):
            article = content.article(payload.removeprefix(ARTICLE_PAYLOAD_PREFIX))
            if article is None:
                return await self._stale(state, channel)
            return [self._full_article(state, article)]
        if payload.startswith(ANSWER_PAYLOAD_PREFIX):
            found = content.answer(payload.removeprefix(ANSWER_PAYLOAD_PREFIX))
            if found is None:
                return await self._stale(state, channel)
            return [self._answer_reply(found[1].id)]
        if payload.startswith(INTENT_PAYLOAD_PREFIX):
            target = content.intent_targets.get(payload.removeprefix(INTENT_PAYLOAD_PREFIX))
            if target is None:
                return await self._stale(state, channel)
            state.resting = False
            return await self._run(state, target[0], target[1], channel)
        if payload.startswith(GLOBAL_PAYLOAD_PREFIX):
            word = payload.removeprefix(GLOBAL_PAYLOAD_PREFIX)
            if word in GLOBAL_WORDS:
                return await self._global_word(state, word, channel)
            return await self._stale(state, channel)
        flow_id, _, rest = payload.partition(":")
        node_id, _, choice = rest.partition(":")
        node = content.node(state.flow, state.node)
        if state.resting or node is None or (flow_id, node_id) != (state.flow, state.node):
            pressed = content.node(flow_id, node_id)
            return await self._stale(state, channel, pressed.late if pressed else None)
        if node.kind == "ask":
            return await self._answer_by_button(state, node, choice, channel)
        index = whole_number(choice)
        if index is not None and index < len(node.buttons):
            return await self._follow_button(state, node.buttons[index], channel)
        return await self._stale(state, channel)

    async def run_node(
        self, state: ConversationState, flow_id: str, node_id: str, channel: str
    ) -> list[Reply]:
        """Move the conversation to a named node and follow the flow from there."""
        return await self._run(state, flow_id, node_id, channel)

    def render_node(
        self, flow_id: str, node_id: str, variables: dict[str, object] | None = None
    ) -> list[Reply]:
        """A node's message without moving anyone there (notices sent from the console)."""
        node = self._content.current.node(flow_id, node_id)
        if node is not None and node.kind == "ask":
            # A question sent from outside a step (after a champion closes a chat):
            # its buttons name this node, so they answer it once the parent is here.
            asking = ConversationState(flow_id, node_id, dict(variables or {}))
            return [self._render_question(asking, node, f"{flow_id}:{node_id}")]
        if node is None or not node.say:
            return []
        return [
            Reply(
                fill(node.say, dict(variables or {})),
                self._buttons(f"{flow_id}:{node_id}", node, variables),
            )
        ]

    def is_current_button(self, state: ConversationState, payload: str) -> bool:
        """Was this payload a button of the step the parent is on now?"""
        flow_id, _, rest = payload.partition(":")
        node_id, _, choice = rest.partition(":")
        node = self._content.current.node(state.flow, state.node)
        index = whole_number(choice)
        return (
            node is not None
            and not state.resting
            and (flow_id, node_id) == (state.flow, state.node)
            and index is not None
            and index < len(node.buttons)
        )

    async def crisis(self, state: ConversationState, channel: str) -> list[Reply]:
        """The crisis message, at once, whatever the parent was doing."""
        state.resting = False
        if "crisis" in self._content.current.flows:
            return await self._run(state, "crisis", None, channel)
        state.urgent = state.crisis_now = True
        return [Reply(FALLBACK_TEXT, kind="crisis")]

    async def check_in(self, state: ConversationState, channel: str) -> list[Reply]:
        """ "I can't do this anymore": are you safe? A champion follows up either way."""
        state.resting = False
        state.follow_up = True
        if self._content.current.node(CRISIS_FLOW, "check_in") is None:
            return []
        return await self._run(state, CRISIS_FLOW, "check_in", channel)

    def everyday_distress(self) -> list[Reply]:
        """One kind line and "Support for you", sent after the answer."""
        return self.render_node(CRISIS_FLOW, "everyday")

    async def answer_question(
        self,
        state: ConversationState,
        text: str,
        channel: str,
        prediction: Prediction | None,
        asked: Sequence[str] = (),
        whole: Prediction | None = None,
    ) -> list[Reply]:
        """The answer to a question that came with a crisis or a check-in, in the same
        turn: the card if we know it, "Are you asking about...?" if close, else nothing
        (the crisis message already offers a person). The question sentence's intent
        leads; if it finds no card, the whole message's intent is tried, as a message
        without a crisis would be answered (a false alarm must not cost the answer)."""
        content = self._content.current
        questions = list(asked) or [text]
        prior = dict(prediction.ranking) if prediction is not None else None
        choice = choose_answer(content.answer_index, questions, text, prior)
        if choice.kind != "answer" and whole is not None:
            by_message = choose_answer(content.answer_index, questions, text, dict(whole.ranking))
            if by_message.kind == "answer":
                choice = by_message
        if choice.kind == "answer" and choice.best is not None:
            return [self._answer_reply(choice.best.answer_id, choice.second, choice.alternatives)]
        if choice.kind == "unsure":
            return [self._are_you_asking(choice)]
        return []

    async def handle_text(
        self,
        state: ConversationState,
        text: str,
        channel: str,
        prediction: Prediction | None = None,
        asked: Sequence[str] = (),
    ) -> list[Reply]:
        """Typed words: a global word, an answer to the step, a choice, or free text.

        `asked` holds the sentences of the message that ask something (bot/reading)."""
        content = self._content.current
        word = answers.normalise(text).lstrip("/")
        word = "mydata" if word == "my data" else word  # typed as two words, even mid-question
        if word not in GLOBAL_WORDS:
            word = self._privacy_request(state, text) or word
        if word in GLOBAL_WORDS:
            return await self._global_word(state, word, channel)
        if word in START_WORDS:
            return await self._restart(state, channel)
        if not word:
            return [Reply(content.system_text("empty_message")), *self._reshow(state)]
        node = content.node(state.flow, state.node)
        if node is None or state.resting:
            # Content changed under this conversation, or it was stopped: start afresh.
            state.resting = False
            return await self._run(state, "main", None, channel)
        if node.kind == "ask":
            return await self._answer_by_text(state, node, text, channel, prediction, asked)
        labels = [button.label for button in node.buttons]
        picked = answers.read_choice(text, labels) if labels else None
        if picked is not None:
            return await self._follow_button(state, node.buttons[picked], channel)
        return await self._free_text(state, text, prediction, channel, asked=asked)

    def _privacy_request(self, state: ConversationState, text: str) -> str | None:
        """ "Can I see my data?", "delete my data": asked in the privacy flow's own words
        (its `requests`), mydata and delete work everywhere, as the typed words do.

        Only a short message counts, and not as the answer to a question that wants the
        parent's own words (a letter's "what has changed" may well say "my data")."""
        content = self._content.current
        node = content.node(state.flow, state.node)
        if word_count(text) > PRIVACY_REQUEST_WORDS or (
            node is not None and node.kind == "ask" and node.expect == "text"
        ):
            return None
        found = self._privacy_requests_of(content).find(text)
        return found[1] if found is not None else None

    def _privacy_requests_of(self, content: Content) -> FlowRequests:
        """The privacy flow's requests of this content version (built on its first use;
        a reload swaps in a new Content, which builds them again)."""
        if self._privacy_requests is None or self._privacy_requests[0] is not content:
            phrases = [
                (phrase, PRIVACY_FLOW, word)
                for word in ("delete", "mydata")  # "delete my data" before "my data"
                for phrase in getattr(content.node(PRIVACY_FLOW, word), "requests", [])
            ]
            self._privacy_requests = (content, FlowRequests(phrases))
        return self._privacy_requests[1]

    async def handle_media(self, state: ConversationState, channel: str) -> list[Reply]:
        """A photo, voice note or sticker: say kindly that we read text only."""
        content = self._content.current
        return [Reply(content.system_text("media_not_supported")), *self._reshow(state)]

    async def _restart(self, state: ConversationState, channel: str) -> list[Reply]:
        state.resting = False
        state.history.clear()
        return await self._run(state, "welcome", None, channel, remember=False)

    # -- parent input -------------------------------------------------------

    async def _answer_by_button(
        self, state: ConversationState, node: NodeSpec, choice: str, channel: str
    ) -> list[Reply]:
        content = self._content.current
        if choice == "skip" and node.skippable:
            return await self._save_and_continue(state, node, None, channel)
        if choice == "done" and node.multiple:
            return await self._continue_after(state, node, channel)
        if node.expect == "yes_no" and choice in ("yes", "no"):
            return await self._save_and_continue(state, node, choice, channel)
        index = whole_number(choice)
        if node.expect == "choice" and index is not None and index < len(node.choices):
            return await self._chosen(state, node, node.choices[index].saved_value, channel)
        if node.expect == "option" and index is not None:
            offered = offered_options(state)
            if index < len(offered):
                return await self._save_and_continue(state, node, offered[index][1], channel)
        area = whole_number(choice[2:]) if choice.startswith("la") else None
        if node.expect == "local_authority" and area is not None:
            authorities = content.local_authorities.authorities
            if area < len(authorities):
                name = authorities[area].name
                return await self._save_and_continue(state, node, name, channel)
        return await self._stale(state, channel)

    async def _answer_by_text(
        self,
        state: ConversationState,
        node: NodeSpec,
        text: str,
        channel: str,
        prediction: Prediction | None = None,
        asked: Sequence[str] = (),
    ) -> list[Reply]:
        content = self._content.current
        if node.skippable and answers.is_skip(text):
            return await self._save_and_continue(state, node, None, channel)
        if node.multiple and answers.is_done(text):
            return await self._continue_after(state, node, channel)
        value: object | None
        if node.expect == "date":
            day = answers.read_date(text, self._today(), past=node.past)
            if day is not None and node.past and day > self._today():
                replies = [Reply(content.system_text("retry_date_future"))]
                return replies + self._render_waiting(state, node)
            value = day.isoformat() if day else None
        elif node.expect == "number":
            value = answers.read_number(text, node.min, node.max)
        elif node.expect == "age":
            value = answers.read_age(text)
        elif node.expect == "yes_no":
            value = answers.read_yes_no(text)
        elif node.expect == "choice":
            value = self._choice_from_text(node, text, prediction)
            if value is not None:
                return await self._chosen(state, node, value, channel)
        elif node.expect == "option":
            offered = offered_options(state)
            index = answers.read_choice(text, [label for label, _value in offered])
            value = offered[index][1] if index is not None else None
        elif node.expect == "local_authority":
            found = content.local_authorities.find(text, on=self._today())
            if len(found) > 1:
                return self._offer_local_authorities(state, node, found)
            value = found[0].name if found else None
        else:
            value = text.strip() or None
        if value is None and node.lapses:
            # Not an answer: the parent moved on. Their words are read as any other
            # message, from the main menu, and the question is not asked again.
            state.flow, state.node = "main", content.start_of("main") or ""
            return await self._free_text(state, text, prediction, channel, asked=asked)
        if value is None:
            retry = node.retry or content.system_text(f"retry_{node.expect}")
            replies = [Reply(fill(retry, state.variables))]
            replies.extend(self._render_waiting(state, node))
            return replies
        replies = await self._save_and_continue(state, node, value, channel)
        if node.answers_questions and asked:
            # "Anything to add?" answered with a question: kept as the answer, and
            # answered too, so the question is not lost in a comment box.
            replies += await self.answer_question(state, text, channel, prediction, asked)
        return replies

    def _choice_from_text(
        self, node: NodeSpec, text: str, prediction: Prediction | None
    ) -> str | None:
        """A choice by its number or label, or by what the parent's words mean."""
        index = answers.read_choice(text, [c.label for c in node.choices])
        if index is not None:
            return node.choices[index].saved_value
        if prediction is None or prediction.confidence < CHOICE_BY_MEANING:
            return None
        for choice in node.choices:
            if prediction.intent in choice.intents:
                return choice.saved_value
        return None

    async def _chosen(
        self, state: ConversationState, node: NodeSpec, value: str, channel: str
    ) -> list[Reply]:
        if not node.multiple:
            return await self._save_and_continue(state, node, value, channel)
        assert node.save is not None
        chosen = list(state.variables.get(node.save) or [])
        if value not in chosen:
            chosen.append(value)
        state.variables[node.save] = chosen
        self._save_labels(state, node)
        return self._render_waiting(state, node)  # same question: anything else?

    @staticmethod
    def _save_labels(state: ConversationState, node: NodeSpec) -> None:
        """Keep the words of the chosen option(s) too, as `<save>_label`, for summaries."""
        assert node.save is not None
        saved = state.variables.get(node.save)
        values = saved if isinstance(saved, list) else [saved]
        labels = [c.label for c in node.choices if c.saved_value in values]
        if labels:
            state.variables[f"{node.save}_label"] = ", ".join(labels)
        else:
            state.variables.pop(f"{node.save}_label", None)

    def _offer_local_authorities(
        self, state: ConversationState, node: NodeSpec, found: list[LocalAuthority]
    ) -> list[Reply]:
        content = self._content.current
        positions = {la.name: i for i, la in enumerate(content.local_authorities.authorities)}
        prefix = f"{state.flow}:{state.node}"
        buttons = [Button(la.name, f"{prefix}:la{positions[la.name]}") for la in found]
        if node.skippable:
            buttons.append(Button(content.system_text("skip_label"), f"{prefix}:skip"))
        return [Reply(content.system_text("which_local_authority"), buttons)]

    async def _continue_after(
        self, state: ConversationState, node: NodeSpec, channel: str
    ) -> list[Reply]:
        if node.next is None:
            return await self._run(state, "main", None, channel)
        return await self._run(state, state.flow, node.next, channel)

    async def _save_and_continue(
        self, state: ConversationState, node: NodeSpec, value: object | None, channel: str
    ) -> list[Reply]:
        assert node.save is not None  # guaranteed by the schema for ask nodes
        if value is None:
            state.variables.pop(node.save, None)
        else:
            state.variables[node.save] = value
        if node.expect == "choice":
            self._save_labels(state, node)
        return await self._continue_after(state, node, channel)

    async def _follow_button(
        self, state: ConversationState, button: ButtonSpec, channel: str
    ) -> list[Reply]:
        if button.word:
            return await self._global_word(state, button.word, channel)
        if button.goto:
            return await self._run(state, state.flow, button.goto, channel)
        assert button.flow is not None
        return await self._run(state, button.flow, button.node, channel)

    async def _free_text(
        self,
        state: ConversationState,
        text: str,
        prediction: Prediction | None,
        channel: str,
        asked: Sequence[str] = (),
    ) -> list[Reply]:
        """Typed words that are not an answer or a button: a request, a question, a topic?

        A request for something the bot does goes to its flow; a question gets the
        answer card that states its fact; a statement goes to its topic; and an
        unclear message gets "Are you asking about...?"."""
        content = self._content.current
        target = content.intent_targets.get(prediction.intent) if prediction else None
        confident = (
            prediction is not None
            and target is not None
            and prediction.confidence >= self._confident
            and (
                word_count(text) >= SHORT_MESSAGE_WORDS or prediction.intent in CLEAR_FROM_ONE_WORD
            )
        )
        if confident and prediction is not None and prediction.intent in FLOW_REQUEST_INTENTS:
            assert target is not None
            return await self._run(state, target[0], target[1], channel)
        requested = content.flow_requests.find(text)
        if requested is not None:
            return await self._run(state, requested[0], requested[1], channel)
        topic = bool(confident and target and prediction and prediction.intent != OUT_OF_SCOPE)
        # A short statement ("he was excluded today") gets its topic's overview and
        # choices; a question, or a long message that asks without a question mark,
        # gets the card that states its fact.
        statement = not asked and word_count(text) < LONG_MESSAGE_WORDS
        if topic and statement and target is not None:
            return await self._run(state, target[0], target[1], channel)
        questions = list(asked) or [text]
        prior = dict(prediction.ranking) if prediction is not None else None
        choice = choose_answer(content.answer_index, questions, text, prior, asked=bool(asked))
        # Two or three words that don't ask ("the plan") are too little to pick a card
        # on, unless they name it outright ("samaritans number").
        too_short = (
            statement
            and word_count(text) < SHORT_STATEMENT_WORDS
            and (choice.best is None or choice.best.score < SURE_SCORE)
        )
        if choice.kind == "answer" and not too_short:
            assert choice.best is not None
            return [self._answer_reply(choice.best.answer_id, choice.second, choice.alternatives)]
        if topic and not asked and target is not None:
            return await self._run(state, target[0], target[1], channel)
        if choice.kind == "unsure" and not too_short:
            return [self._are_you_asking(choice), *self._reshow_if_waiting(state)]
        off_topic = prediction is not None and prediction.intent == OUT_OF_SCOPE and target
        if off_topic and target is not None:
            # Not about SEND at all: say so kindly, and what Champion can help with.
            return await self._run(state, target[0], target[1], channel)
        if asked:
            # A question no card answers: say so honestly, never a nearby fact, and
            # offer a person (and the topic, when it is clear).
            intent = prediction.intent if topic and prediction else None
            return [self._no_answer(intent), *self._reshow_if_waiting(state)]
        if prediction is not None:
            suggestions = [
                Button(label, f"{INTENT_PAYLOAD_PREFIX}{intent}")
                for intent, _ in prediction.ranking
                if intent not in ("out_of_scope", "greeting", "goodbye")
                and (label := content.intent_label(intent))
            ][:3]
            if suggestions:
                person = Button(content.system_text("talk_to_person_label"), "global:human")
                replies = [Reply(content.system_text("did_you_mean"), [*suggestions, person])]
                # The choices the parent already had stay in reach.
                return replies + self._reshow_if_waiting(state)
        replies = [Reply(content.system_text("not_understood"))]
        current = self._reshow_if_waiting(state)
        if current:
            return replies + current
        return replies + await self._run(state, "main", None, channel)

    def _answer_reply(
        self,
        answer_id: str,
        second: AnswerHit | None = None,
        alternatives: Sequence[AnswerHit] = (),
    ) -> Reply:
        """The key fact first, its source in one short line, then where to go next:
        Read more (the whole article), related answers, a second question, a person."""
        content = self._content.current
        found = content.answer(answer_id)
        assert found is not None
        article, card = found
        source = content.system_text("source_line").replace("{source}", source_label(card.source))
        buttons = [
            Button(content.system_text("read_more_label"), f"{ARTICLE_PAYLOAD_PREFIX}{article.id}")
        ]
        if second is not None:
            buttons.append(Button(self._question_label(second.answer_id), answer_payload(second)))
        # Not sure: the runners-up first, so what the parent meant is one tap away.
        offered = [hit.answer_id for hit in alternatives] + list(card.follow_ups)
        related = [f for f in dict.fromkeys(offered) if second is None or f != second.answer_id]
        for follow_up in related[:RELATED_ANSWERS]:
            if content.answer(follow_up) is not None:
                buttons.append(
                    Button(self._question_label(follow_up), f"{ANSWER_PAYLOAD_PREFIX}{follow_up}")
                )
        buttons.append(Button(content.system_text("talk_to_person_label"), "global:human"))
        return Reply(
            f"{answer_text(card.answer)}\n\n{source}",
            buttons,
            kind="answer",
            sources=[source_record(card.source)],
        )

    def _question_label(self, answer_id: str) -> str:
        """A button naming an answer: its first question, made to read like a label."""
        found = self._content.current.answer(answer_id)
        if found is None:
            return answer_id
        return button_text(found[1].questions[0])

    def _are_you_asking(self, choice: AnswerChoice) -> Reply:
        content = self._content.current
        buttons = [
            Button(self._question_label(hit.answer_id), answer_payload(hit)) for hit in choice.hits
        ]
        buttons.append(Button(content.system_text("talk_to_person_label"), "global:human"))
        return Reply(content.system_text("are_you_asking"), buttons, kind="question")

    def _no_answer(self, intent: str | None = None) -> Reply:
        content = self._content.current
        buttons = [Button(content.system_text("talk_to_person_label"), "global:human")]
        label = content.intent_label(intent) if intent else None
        if intent and label:
            buttons.append(Button(label, f"{INTENT_PAYLOAD_PREFIX}{intent}"))
        buttons.append(Button(content.system_text("menu_label"), "global:menu"))
        return Reply(content.system_text("no_answer"), buttons, kind="notice")

    def _full_article(self, state: ConversationState, article: Article) -> Reply:
        """The whole article with its sources and the disclaimer."""
        content = self._content.current
        text = render_article(
            article, content.system_text("sources_heading"), content.system_text("disclaimer")
        )
        node = content.node(state.flow, state.node)
        if node is not None and node.article == article.id:
            buttons = self._buttons(f"{state.flow}:{state.node}", node, state.variables)
        else:
            buttons = [
                Button(content.system_text("talk_to_person_label"), "global:human"),
                Button(content.system_text("menu_label"), "global:menu"),
            ]
        return Reply(text, buttons, sources=[source_record(s) for s in article.meta.sources])

    def _reshow_if_waiting(self, state: ConversationState) -> list[Reply]:
        """The current step again, if it offers buttons or asks a question."""
        node = self._content.current.node(state.flow, state.node)
        if node is not None and (node.buttons or node.kind == "ask"):
            return self._render_waiting(state, node)
        return []

    async def _global_word(self, state: ConversationState, word: str, channel: str) -> list[Reply]:
        content = self._content.current
        state.resting = False
        if word in ("menu", "bot"):
            return await self._run(state, "main", None, channel)
        if word == "agree":
            state.variables[CONSENT] = "yes"
            target = state.variables.pop("after_consent", None) or "main"
            return await self._run(
                state, target if target in content.flows else "main", None, channel
            )
        if word in ("mydata", "delete"):
            return await self._run(state, PRIVACY_FLOW, word, channel)
        if word == "support" and content.node(CRISIS_FLOW, "support") is not None:
            return await self._run(state, CRISIS_FLOW, "support", channel)
        if word == "human":
            if "champion" in content.flows:
                return await self._run(state, "champion", None, channel)
            return [Reply(content.system_text("unavailable")), *self._reshow(state)]
        if word == "help":
            return [Reply(content.system_text("help")), *self._reshow(state)]
        if word == "stop":
            state.history.clear()
            state.resting = True
            return [Reply(content.system_text("stop"))]
        # back: the previous waiting point, skipping any that no longer exist.
        while state.history:
            flow_id, _, node_id = state.history.pop().partition(":")
            if content.node(flow_id, node_id) is not None:
                state.flow, state.node = flow_id, node_id
                return self._reshow(state)
        return [Reply(content.system_text("back_at_start")), *self._reshow(state)]

    async def _stale(
        self, state: ConversationState, channel: str, late: str | None = None
    ) -> list[Reply]:
        """A button of an earlier step; `late`: that step's own words for it."""
        content = self._content.current
        replies = [
            Reply(fill(late, state.variables) if late else content.system_text("stale_button"))
        ]
        if state.resting or content.node(state.flow, state.node) is None:
            state.resting = False
            return replies + await self._run(state, "main", None, channel)
        return replies + self._reshow(state)

    def _reshow(self, state: ConversationState) -> list[Reply]:
        node = self._content.current.node(state.flow, state.node)
        if node is None:
            return []
        return self._render_waiting(state, node)

    # -- moving through nodes -----------------------------------------------

    async def _run(
        self,
        state: ConversationState,
        flow_id: str,
        node_id: str | None,
        channel: str,
        remember: bool = True,
    ) -> list[Reply]:
        """Enter a node and follow the flow until it needs the parent again."""
        content = self._content.current
        replies: list[Reply] = []
        if flow_id not in content.flows:
            log.warning("flow %s is not loaded; staying where we are", flow_id)
            return [Reply(content.system_text("unavailable")), *self._reshow(state)]
        if content.flows[flow_id].personal and state.variables.get(CONSENT) != "yes":
            # Not without their agreement: say why, and offer to agree or carry on.
            state.variables["after_consent"] = flow_id
            flow_id, node_id = PRIVACY_FLOW, "needs_consent"
            if flow_id not in content.flows:
                return [Reply(content.system_text("unavailable")), *self._reshow(state)]
        node_id = node_id or content.flows[flow_id].start
        if remember:
            state.remember_position()
        pending_document: Document | None = None
        for _ in range(MAX_STEPS_PER_MESSAGE):
            node = content.node(flow_id, node_id)
            if node is None:
                log.warning("node %s.%s does not exist; showing the main menu", flow_id, node_id)
                replies.append(Reply(content.system_text("unavailable")))
                flow_id, node_id = "main", content.start_of("main") or ""
                if content.node(flow_id, node_id) is None:
                    return replies
                continue
            state.flow, state.node = flow_id, node_id
            kind = node.kind
            is_crisis_message = flow_id == CRISIS_FLOW and node_id == content.start_of(CRISIS_FLOW)
            if is_crisis_message:
                # However the parent got here (typed words or "I need help now").
                state.urgent = state.crisis_now = True
            if kind in ("say", "article"):
                replies.extend(self._render_waiting(state, node))
                if is_crisis_message:
                    replies[-1].kind = "crisis"
                if pending_document is not None:
                    replies[-1].document = pending_document
                    pending_document = None
                if node.next and not node.buttons:
                    node_id = node.next
                    continue
                return replies
            if kind == "ask":
                replies.extend(self._render_waiting(state, node))
                return replies
            if kind == "goto":
                node_id = node.goto or ""
            elif kind == "flow":
                flow_id = node.flow or ""
                if flow_id not in content.flows:
                    replies.append(Reply(content.system_text("unavailable")))
                    flow_id = "main"
                node_id = node.node or content.flows[flow_id].start
                if content.flows[flow_id].personal and state.variables.get(CONSENT) != "yes":
                    state.variables["after_consent"] = flow_id
                    flow_id, node_id = PRIVACY_FLOW, "needs_consent"
            elif kind == "when":
                node_id = next(
                    (b.goto for b in node.when or [] if b.condition.holds(state.variables)),
                    node.else_ or "",
                )
            elif kind == "action":
                flow_data = content.flows[flow_id].data
                context = ActionContext(
                    dict(state.variables),
                    channel,
                    self._today(),
                    flow_data,
                    content,
                    self._now(),
                    state.parent_id,
                )
                result = await self._actions.run(node.action or "", context)
                if result.document is not None:
                    pending_document = result.document
                state.variables.update(result.variables)
                if result.referral is not None:
                    state.new_referrals.append(result.referral)
                if result.reminder is not None:
                    state.new_reminders.append(result.reminder)
                if result.handoff:
                    state.new_handoff = True
                if result.erase:
                    state.erase = True
                if result.options is not None:
                    state.variables[OPTIONS_VARIABLE] = [
                        {"label": label, "value": value} for label, value in result.options
                    ]
                target = result.goto or node.next
                if target is None:
                    return replies
                node_id = target
        raise FlowLoopError(
            f"flow {flow_id} did not stop for input within {MAX_STEPS_PER_MESSAGE} steps"
        )

    def _render_waiting(self, state: ConversationState, node: NodeSpec) -> list[Reply]:
        """The message(s) for a node, with the buttons the parent can press."""
        content = self._content.current
        prefix = f"{state.flow}:{state.node}"
        if node.kind == "article":
            article = content.article(node.article or "")
            if article is None:
                return [
                    Reply(
                        content.system_text("unavailable"),
                        self._buttons(prefix, node, state.variables),
                    )
                ]
            # The key fact first, in one short message; the whole article on request.
            read_more = Button(
                content.system_text("read_more_label"), f"{ARTICLE_PAYLOAD_PREFIX}{article.id}"
            )
            summary = render_summary(article, content.system_text("source_line"))
            return [Reply(summary, [read_more, *self._buttons(prefix, node, state.variables)])]
        if node.kind == "ask":
            return [self._render_question(state, node, prefix)]
        buttons = self._buttons(prefix, node, state.variables)
        return [Reply(fill(node.say or "", state.variables), buttons)]

    def _render_question(self, state: ConversationState, node: NodeSpec, prefix: str) -> Reply:
        content = self._content.current
        text = fill(node.ask or "", state.variables)
        chosen = list(state.variables.get(node.save or "") or []) if node.multiple else []
        buttons: list[Button] = []
        if node.expect == "choice":
            buttons = [
                Button(c.label, f"{prefix}:{i}")
                for i, c in enumerate(node.choices)
                if c.saved_value not in chosen
            ]
        elif node.expect == "option":
            buttons = [
                Button(label, f"{prefix}:{i}")
                for i, (label, _v) in enumerate(offered_options(state))
            ]
        elif node.expect == "yes_no":
            buttons = [
                Button(content.system_text("yes_label"), f"{prefix}:yes"),
                Button(content.system_text("no_label"), f"{prefix}:no"),
            ]
        if chosen:
            labels = [c.label for c in node.choices if c.saved_value in chosen]
            so_far = fill(content.system_text("chosen_so_far"), {"chosen": ", ".join(labels)})
            text = f"{text}\n\n{so_far}"
            buttons.append(Button(content.system_text("done_label"), f"{prefix}:done"))
        elif node.skippable:
            buttons.append(Button(content.system_text("skip_label"), f"{prefix}:skip"))
        return Reply(text, buttons)

    @staticmethod
    def _buttons(
        prefix: str, node: NodeSpec, variables: dict[str, object] | None = None
    ) -> list[Button]:
        # A word button works from anywhere, like the typed word, so it is never stale.
        # A button with `if` is left out when it doesn't hold; the others keep their
        # positions, so a payload still names the same button.
        return [
            Button(b.label, f"{GLOBAL_PAYLOAD_PREFIX}{b.word}" if b.word else f"{prefix}:{i}")
            for i, b in enumerate(node.buttons)
            if b.shown(dict(variables or {}))
        ]


def button_label(content: Content, payload: str) -> str | None:
    """The words on the button a payload came from, for the transcript."""
    if payload.startswith(ARTICLE_PAYLOAD_PREFIX):
        article = content.article(payload.removeprefix(ARTICLE_PAYLOAD_PREFIX))
        return article.meta.title if article else None
    if payload.startswith(INTENT_PAYLOAD_PREFIX):
        return content.intent_label(payload.removeprefix(INTENT_PAYLOAD_PREFIX))
    if payload.startswith(GLOBAL_PAYLOAD_PREFIX) and payload != START_PAYLOAD:
        return payload.removeprefix(GLOBAL_PAYLOAD_PREFIX)
    flow_id, _, rest = payload.partition(":")
    node_id, _, choice = rest.partition(":")
    node = content.node(flow_id, node_id)
    if node is None:
        return None
    if choice == "skip":
        return content.system_text("skip_label")
    if choice == "done":
        return content.system_text("done_label")
    area = whole_number(choice[2:]) if choice.startswith("la") else None
    if area is not None:
        authorities = content.local_authorities.authorities
        return authorities[area].name if area < len(authorities) else None
    if choice in ("yes", "no"):
        return content.system_text(f"{choice}_label")
    index = whole_number(choice)
    if index is None:
        return None
    options = [c.label for c in node.choices] or [b.label for b in node.buttons]
    return options[index] if index < len(options) else None
