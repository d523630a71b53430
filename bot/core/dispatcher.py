"""Every inbound message, from any channel, goes through `Dispatcher.handle`.

One message is one transaction: load (or create) the parent and their
conversation, answer a repeated delivery with the replies already given, step the
flow in memory, then write the new state, the message and the replies together.
Any failure rolls the whole step back and the parent gets a short apology, so
nothing is ever half-written.

While a Parent Champion has the conversation (an open ticket that is relaying),
the bot stays quiet: the parent's words are saved for the champion to read (each
acknowledged, "Sent to Sam"), and only crisis screening, "back to the bot" and the
words that work at any time (bot/handoff/words.py) are acted on.

Crisis first, database second: the message is read (bot/reading) before anything
is loaded. A crisis reply is sent straight away (returned to the web chat, sent
directly to Telegram and WhatsApp), an alert goes to open console pages and the
staff chat from memory, and the step that saves the conversation and the urgent
ticket carries on in the background, retrying until the database answers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.core.actions import step_transaction
from bot.core.answers import normalise, read_yes_no
from bot.core.content import ContentHolder
from bot.core.dates import uk_today
from bot.core.outbound import push_message
from bot.core.runner import CONSENT, FlowRunner, button_label
from bot.core.state import ConversationState
from bot.core.types import Inbound, Reply
from bot.handoff import tickets
from bot.handoff import words as handoff_words
from bot.handoff.escalation import escalate
from bot.handoff.events import EventBus, alert_topic, ticket_topic
from bot.handoff.urgency_rise import rise_in
from bot.metrics import MESSAGES_IN, MESSAGES_OUT, NLU_SECONDS
from bot.nlu.classifier import Prediction
from bot.nlu.service import NluBackend, safe_predict
from bot.privacy.erase import erase_parent
from bot.reading.reader import MessageReader, Reading
from bot.safety.message import FALLBACK_TEXT
from bot.safety.screen import NOT_SCREENED, Screening
from bot.store import conversations as store
from bot.store.db import Database, Transaction

log = logging.getLogger(__name__)

_ATTEMPTS = 3
# Control characters other than newline and tab carry no meaning for us, and
# PostgreSQL cannot store NUL in text at all.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))
_CONTROL[127] = None
BACK_TO_BOT_PAYLOAD = "global:bot"
BACK_TO_BOT_WORDS = {"bot", "/bot", "back to the bot", "back to bot", "talk to the bot"}
# How long a crisis reply waits for the database before it is sent on its own.
CRISIS_WAIT_SECONDS = 1.0
# How long the background step keeps trying to save a crisis (and its ticket).
CRISIS_SAVE_SECONDS = 15 * 60
# A platform call for the crisis reply itself: not forever.
DIRECT_SEND_SECONDS = 5.0

# Longer messages are screened on a worker thread (a 100,000-character message takes
# about 130 ms, which would stall every other parent on the event loop).
READ_ON_THREAD_CHARS = 4000


# Where a conversation waits once its step is saved: (flow, node), or None when it
# rests or was erased. The same as `store.position_of` reads back after the commit.
Position = tuple[str, str] | None


@dataclasses.dataclass(frozen=True, slots=True)
class Handled:
    """The replies to one message and, when this call saw its step committed (`saved`),
    where the conversation now waits: the web chat shows a plan picker from it without
    reading the conversation back (bot/web/chat_api.py)."""

    replies: list[Reply]
    saved: bool = False
    position: Position = None


def position_of_state(state: ConversationState) -> Position:
    """What `store.position_of` reads for this state once it is saved."""
    return None if state.resting else (state.flow, state.node)


class _NotRead:
    """`handle` was not given a reading: it reads the message itself."""


NOT_READ = _NotRead()

# Sends one reply to one chat now, bypassing the outbox (set by bot/channels/runtime.py).
DirectSender = Callable[[str, Reply], Awaitable[None]]
# How much of a long message the conversation takes where a long one is expected (a
# pasted or uploaded plan, bot/plan/intake.py), else None: set where the service is put
# together (bot/services.py), as core knows nothing of plans.
LongTextLimit = Callable[[Inbound], Awaitable[int | None]]


@dataclasses.dataclass(frozen=True, slots=True)
class Turn:
    """One inbound message as read before the database: what a step works from."""

    inbound: Inbound
    text: str | None  # cleaned, and cut to the length limit
    reading: Reading | None  # None for dates, numbers and button presses without words
    prediction: Prediction | None = None  # the whole message's intent
    question: Prediction | None = None  # the question sentence's intent (crisis, check-in)
    sent_directly: bool = False  # the crisis reply already went to the platform

    @property
    def screening(self) -> Screening:
        return self.reading.screening if self.reading is not None else NOT_SCREENED

    @property
    def asked(self) -> list[str]:
        """The sentences that ask something (not those carrying risk), in order."""
        return [q.text for q in self.reading.questions] if self.reading is not None else []


def clean_text(text: str) -> str:
    return text.translate(_CONTROL)


class Dispatcher:
    def __init__(
        self,
        database: Database,
        runner: FlowRunner,
        content: ContentHolder,
        nlu: NluBackend | None = None,
        max_message_chars: int = 4000,
        events: EventBus | None = None,
        handoffs: bool = True,
        reader: MessageReader | None = None,
        crisis_wait_seconds: float = CRISIS_WAIT_SECONDS,
    ) -> None:
        self._database = database
        self._runner = runner
        self._content = content
        self._nlu = nlu
        self._max_chars = max_message_chars
        self._events = events
        # Off in the admins' preview chat: trying a draft must not reach champions.
        self._handoffs = handoffs
        self._reader = reader or MessageReader(None, max_message_chars)
        self._crisis_wait = crisis_wait_seconds
        self.direct_senders: dict[str, DirectSender] = {}
        self.long_text_limit: LongTextLimit | None = None
        self._saving: set[asyncio.Task[Any]] = set()  # crisis steps waiting on the database

    async def handle(
        self, inbound: Inbound, reading: Reading | _NotRead | None = NOT_READ
    ) -> list[Reply]:
        """Answer one message; `reading` is passed by a caller that screened it already."""
        return (await self.handle_placed(inbound, reading)).replies

    async def handle_placed(
        self, inbound: Inbound, reading: Reading | _NotRead | None = NOT_READ
    ) -> Handled:
        """As `handle`, and where the conversation waits once this message is saved."""
        notes: list[Reply] = []
        full_text = clean_text(inbound.text) if inbound.text is not None else None
        text = full_text
        if inbound.payload is not None:
            inbound = dataclasses.replace(inbound, payload=clean_text(inbound.payload))
        if text is not None and len(text) > self._max_chars:
            text = text[: self._max_chars]
        # Reading needs no database: every sentence and the whole message (even the
        # part beyond the length limit) are screened before anything is loaded.
        if isinstance(reading, _NotRead):
            reading = await self.read(full_text)
        if reading is not None and reading.crisis:
            log.warning(
                "crisis detected on channel %s (%s)",
                inbound.channel,
                ",".join(reading.screening.reasons),
            )
            return await self._handle_crisis(Turn(inbound, text, reading))
        if text is not None and full_text is not None and len(full_text) > len(text):
            # Only now, after the crisis screen: this may read the database.
            longer = await self.long_text_limit(inbound) if self.long_text_limit else None
            text = full_text[: max(self._max_chars, longer or 0)]
            if len(text) < len(full_text):  # never cut without saying so
                notes.append(Reply(self._content.current.system_text("too_long")))
        # The intent of a long (plan) message is read from its start, as for any other.
        prediction = await self._understand(text[: self._max_chars] if text else text)
        question = None
        if reading is not None and reading.screening.borderline:
            question = await self._question_prediction(reading)
        stepped = await self._step_with_retries(Turn(inbound, text, reading, prediction, question))
        if stepped is None:
            return Handled([Reply(self._content.current.system_text("error"))])
        replies, position = stepped
        return Handled(notes + replies, True, position)

    async def read(self, text: str | None) -> Reading | None:
        """Screen a message without the database. A long one is read on a worker
        thread: the rules read all of it, and the event loop keeps serving others."""
        cleaned = clean_text(text) if text is not None else None
        if cleaned is not None and len(cleaned) > READ_ON_THREAD_CHARS:
            return await asyncio.to_thread(self._read, cleaned)
        return self._read(cleaned)

    def _read(self, text: str | None) -> Reading | None:
        if not text or not any(c.isalpha() for c in text):
            return None  # dates, numbers and empty messages carry no risk words
        return self._reader.read(text, self._content.current.crisis_rules)

    async def _question_prediction(self, reading: Reading) -> Prediction | None:
        """What the question sentence is about (answered after a crisis or a check-in)."""
        if reading.question is None:
            return None
        return await self._understand(reading.question.text)

    async def _step_with_retries(self, turn: Turn) -> tuple[list[Reply], Position] | None:
        """The step's replies and the position it saved, retried when two deliveries
        raced; None when it failed."""
        channel = turn.inbound.channel
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                replies, ticket_id, position = await self._step(turn)
            except (store.ConcurrentStep, IntegrityError):
                # Two deliveries of one parent raced; the loser re-reads and retries.
                log.info("conversation step raced another; retry %d of %d", attempt, _ATTEMPTS)
            except Exception as exc:
                log.error(
                    "conversation step failed on channel %s (%s); rolled back",
                    channel,
                    type(exc).__name__,
                )
                return None
            else:
                if ticket_id is not None and self._events is not None:
                    self._events.publish("queue", ticket_topic(ticket_id))
                MESSAGES_IN.labels(channel).inc()
                MESSAGES_OUT.labels(channel).inc(len(replies))
                return replies, position
        return None

    # -- crisis first, database second ------------------------------------------

    async def _handle_crisis(self, turn: Turn) -> Handled:
        crisis_reply = self._crisis_message()
        if not turn.inbound.crisis_alerted:
            self.alert_crisis(turn.inbound.channel)
        sent = await self._send_directly(turn.inbound, crisis_reply)
        assert turn.reading is not None  # only a reading can be a crisis
        question = await self._question_prediction(turn.reading)
        # The whole message's intent too: when the screen is wrong about a crisis, the
        # question is still answered as it would have been (bot/core/runner.py).
        whole = await self._understand(turn.text) if question is not None and turn.text else None
        turn = dataclasses.replace(turn, prediction=whole, question=question, sent_directly=sent)
        saving = asyncio.create_task(self._save_crisis(turn))
        self._saving.add(saving)
        saving.add_done_callback(self._saving.discard)
        try:
            stepped = await asyncio.wait_for(asyncio.shield(saving), self._crisis_wait)
        except TimeoutError:
            log.warning("database slow: crisis reply sent before the conversation was saved")
            return Handled([crisis_reply])
        if stepped is None:
            return Handled([crisis_reply])
        replies, position = stepped
        if not replies or replies[0].kind != "crisis":
            # The champion has the chat, or content lost its crisis node: numbers first.
            return Handled([crisis_reply, *replies], True, position)
        return Handled(replies, True, position)

    def alert_crisis(self, channel: str) -> None:
        """Every open console page and the staff chat, at once: from memory, before any
        database work, so a stalled database never holds the alarm back."""
        if self._handoffs and self._events is not None:
            self._events.publish(alert_topic(channel))

    async def _send_directly(self, inbound: Inbound, reply: Reply) -> bool:
        """Telegram and WhatsApp: send the crisis reply now, not through the outbox."""
        sender = self.direct_senders.get(inbound.channel)
        if sender is None:
            return False
        try:
            await asyncio.wait_for(sender(inbound.chat_id, reply), DIRECT_SEND_SECONDS)
        except Exception as exc:
            # The outbox row written with the step sends it instead.
            log.warning("crisis reply not sent directly (%s); the outbox will", type(exc).__name__)
            return False
        return True

    async def _save_crisis(self, turn: Turn) -> tuple[list[Reply], Position] | None:
        """Save the crisis step (conversation, words, urgent ticket) once the database answers."""
        deadline = time.monotonic() + CRISIS_SAVE_SECONDS
        wait = 0.5
        while True:
            stepped = await self._step_with_retries(turn)
            if stepped is not None or time.monotonic() > deadline:
                if stepped is None:
                    log.error(
                        "a crisis could not be saved for %d minutes", CRISIS_SAVE_SECONDS // 60
                    )
                return stepped
            await asyncio.sleep(wait)
            wait = min(wait * 2, 30.0)

    def carry_on(self, work: Awaitable[Any]) -> None:
        """Finish `work` in the background, like a crisis step waiting on the database
        (the web chat's, when even finding whose session it is has to wait)."""
        task = asyncio.ensure_future(work)
        self._saving.add(task)
        task.add_done_callback(self._saving.discard)

    async def wait_for_saves(self) -> None:
        """Let crisis steps still waiting on the database finish (tests, shutdown)."""
        while self._saving:
            await asyncio.gather(*self._saving, return_exceptions=True)

    async def _understand(self, text: str | None) -> Prediction | None:
        # Dates, numbers and empty messages carry no intent and no risk words.
        if self._nlu is None or not text or not any(c.isalpha() for c in text):
            return None
        with NLU_SECONDS.time():
            return await safe_predict(self._nlu, text)

    def crisis_reply(self, reading: Reading | None) -> Reply | None:
        """The crisis reply if this reading (see `read`) is a crisis.

        For the web layer, when it must refuse or cannot reach the database: whatever
        else happens, a parent in crisis still gets the numbers.
        """
        if reading is None or not reading.crisis:
            return None
        return self._crisis_message()

    def _crisis_message(self) -> Reply:
        content = self._content.current
        node = content.node("crisis", content.start_of("crisis") or "")
        return Reply(node.say if node is not None and node.say else FALLBACK_TEXT, kind="crisis")

    async def _step(self, turn: Turn) -> tuple[list[Reply], int | None, Position]:
        """One message, in one transaction. Returns the replies, the ticket it touched and
        where the conversation waits as saved (returned inside the transaction, so only
        once it has committed)."""
        inbound, text, screening = turn.inbound, turn.text, turn.screening
        async with self._database.transaction() as transaction:
            loaded = await transaction.run(store.load_or_create, inbound.channel, inbound.chat_id)
            if inbound.message_id and loaded.version is not None:
                earlier = await transaction.run(
                    store.find_inbound, loaded.parent_id, inbound.message_id
                )
                if earlier is not None:
                    # Answered before: the conversation stays where it was stored.
                    replies = await transaction.run(store.replies_to, earlier)
                    stored = loaded.state
                    return replies, None, position_of_state(stored) if stored else None
            state = loaded.state or self._runner.new_state()
            if loaded.state is None:
                state.variables.update(inbound.presets)
            state.parent_id = loaded.parent_id
            channel = inbound.channel
            ticket = None
            if loaded.version is not None:
                ticket = await transaction.run(tickets.open_ticket_of, loaded.parent_id)
            ticket_id = ticket.id if ticket is not None else None
            with step_transaction(transaction):
                replies = await self._answer(transaction, loaded, state, ticket, turn)
            if turn.sent_directly:
                for reply in replies:
                    if reply.kind == "crisis":
                        reply.sent_directly = True
            if state.erase:
                # "Delete my data", confirmed: nothing of this step is kept either.
                await transaction.run(erase_parent, loaded.parent_id)
                await transaction.run(self._goodbye_outbox, inbound, replies)
                return replies, None, None  # no conversation is left
            crisis = screening.crisis or state.crisis_now
            if self._handoffs and (state.new_handoff or crisis):
                # Every crisis reaches a champion, whatever the flow said.
                ticket_id = await transaction.run(
                    escalate, loaded.parent_id, channel, state, crisis
                )
            elif self._handoffs and state.follow_up and ticket_id is None:
                # "Are you safe?": a champion checks in, while the bot keeps helping.
                ticket_id = await transaction.run(
                    escalate, loaded.parent_id, channel, state, False, True
                )
            if crisis and not screening.crisis and self._events is not None:
                self._events.publish(alert_topic(channel))  # "I need help now", pressed
            # Typed words are kept only with the parent's agreement, or when a person
            # must read them: someone in crisis, or a champion who has the chat.
            keep_words = state.variables.get(CONSENT) == "yes" or crisis or ticket_id is not None
            words = self._transcript_text(inbound, text) if keep_words or inbound.payload else None
            if state.handoff_note is not None:
                words = f"{words} {state.handoff_note}" if words else state.handoff_note
            if inbound.payload and inbound.payload.startswith("global:") and loaded.version:
                # A word button ("OK, let's start" is "agree"): record the words pressed.
                shown = await transaction.run(
                    store.recent_button_label, loaded.parent_id, inbound.payload
                )
                if shown and state.handoff_note is not None:
                    shown = f"{shown} {state.handoff_note}"
                words = shown or words
            record = store.InboundRecord(
                external_id=inbound.message_id, text=words, payload=inbound.payload
            )
            await transaction.run(store.save_turn, loaded, state, record, replies)
            return replies, ticket_id, position_of_state(state)

    async def _answer(
        self,
        transaction: Transaction,
        loaded: store.LoadedConversation,
        state: ConversationState,
        ticket: tickets.OpenTicket | None,
        turn: Turn,
    ) -> list[Reply]:
        """What to say: the champion's relay, the crisis message, or the next step of the flow."""
        inbound, text, prediction, screening = (
            turn.inbound,
            turn.text,
            turn.prediction,
            turn.screening,
        )
        channel = inbound.channel
        if ticket is not None and self._wants_bot_back(inbound, text):
            return await self._back_to_bot(transaction, ticket, state, channel)
        if ticket is not None and ticket.relaying and not screening.crisis:
            return await self._relay(transaction, ticket, state, inbound, text)
        if ticket is not None and ticket.relaying:
            # The champion is already there and reads every word; the ticket goes to
            # crisis urgency (escalation) and every console page is alerted.
            await transaction.run(tickets.note_parent_message, ticket.id)
            state.urgent = state.crisis_now = True
            return [self._crisis_message()]
        if screening.crisis:
            replies = await self._runner.crisis(state, channel)
            return replies + await self._answer_question_too(state, turn)
        if screening.borderline and inbound.payload is None:
            replies = await self._runner.check_in(state, channel)
            return replies + await self._answer_question_too(state, turn)
        # Everyday distress ("I'm exhausted"): the answer first, so the fact is in the
        # first message, then one kind line with "Support for you" to end on.
        kind_line: list[Reply] = []
        if screening.everyday_distress and inbound.payload is None:
            kind_line = self._runner.everyday_distress()
        if loaded.state is None:
            replies = await self._runner.begin(state, channel)
            if text and prediction is not None and prediction.intent != "greeting":
                # Their first message was a question: answer it after the welcome.
                replies += await self._runner.handle_text(
                    state, text, channel, prediction, turn.asked
                )
            return replies + kind_line
        if inbound.payload is not None:
            return await self._runner.handle_payload(state, inbound.payload, channel)
        if text is not None:
            answered = await self._runner.handle_text(state, text, channel, prediction, turn.asked)
            return answered + kind_line
        return await self._runner.handle_media(state, channel)

    async def _answer_question_too(self, state: ConversationState, turn: Turn) -> list[Reply]:
        """A crisis or check-in never swallows the parent's question: answer it after."""
        if turn.reading is None or turn.reading.question is None or turn.text is None:
            return []
        return await self._runner.answer_question(
            state, turn.text, turn.inbound.channel, turn.question, turn.asked, turn.prediction
        )

    @staticmethod
    def _goodbye_outbox(connection: Any, inbound: Inbound, replies: list[Reply]) -> None:
        """Telegram and WhatsApp send from the outbox, so the last words need a row to
        go from: a bare record with no conversation, removed by the retention sweep."""
        if inbound.channel not in store.OUTBOX_CHANNELS:
            return
        fresh = store.load_or_create(connection, inbound.channel, inbound.chat_id)
        for reply in replies:
            push_message(connection, fresh.parent_id, reply)

    @staticmethod
    def _wants_bot_back(inbound: Inbound, text: str | None) -> bool:
        if inbound.payload is not None:
            return inbound.payload == BACK_TO_BOT_PAYLOAD
        return text is not None and normalise(text) in BACK_TO_BOT_WORDS

    async def _relay(
        self,
        transaction: Transaction,
        ticket: tickets.OpenTicket,
        state: ConversationState,
        inbound: Inbound,
        text: str | None,
    ) -> list[Reply]:
        """A message while a champion has the conversation: saved for them, not answered,
        except the words that work at any time (bot/handoff/words.py)."""
        content = self._content.current
        channel = inbound.channel
        variables = handoff_words.champion_variables(state.variables, ticket.champion)
        confirming = not state.resting and state.position in handoff_words.CONFIRMING
        if confirming:
            answered = await self._confirmation(transaction, ticket, state, inbound, text)
            if answered is not None:
                return answered
        asked_for = handoff_words.bot_phrase(text)
        if asked_for is not None and self._content.current.node(*asked_for) is not None:
            return await self._runner.run_node(state, *asked_for, channel)
        word = handoff_words.word_of(inbound.payload, text)
        if word in handoff_words.LEAVE:
            state.remember_position()
            state.flow, state.node = handoff_words.FLOW, handoff_words.LEAVE_CHECK
            return self._runner.render_node(state.flow, state.node, variables)
        if word == "stop":
            await transaction.run(tickets.parent_returned_to_bot, ticket)
            state.handoff_note = handoff_words.STOPPED
        if word is not None and word not in handoff_words.ALREADY_HERE:
            return await self._runner.handle_payload(state, f"global:{word}", channel)
        if confirming:
            # Other words while a yes or no was asked: for the champion, and the question lapses.
            state.flow, state.node = handoff_words.FLOW, handoff_words.STAY
        if word is not None:
            await transaction.run(tickets.note_parent_message, ticket.id)
            here = "already_here" if ticket.champion else "already_asked"
            return self._runner.render_node(handoff_words.FLOW, here, variables)
        if inbound.payload is not None:
            if self._runner.is_current_button(state, inbound.payload):
                # A button of the hand-off message itself (say, drop-in sessions): the
                # bot answers it, and the ticket waits in the queue for the champion.
                await transaction.run(tickets.pause_relay, ticket.id)
                return await self._runner.handle_payload(state, inbound.payload, inbound.channel)
            return self._runner.render_node("champion", "still_with_champion", state.variables)
        await transaction.run(tickets.note_parent_message, ticket.id)
        if text is None:
            return [Reply(content.system_text("media_not_supported"))]
        rise = rise_in(text, uk_today())
        if rise is not None:
            # "They excluded him today": the queue puts this family first now.
            await transaction.run(tickets.raise_to_urgent, ticket.id, rise.reason)
        if ticket.status == "waiting" and ticket.parent_messages == 0:
            return self._runner.render_node("champion", "passed_on", state.variables)
        # Every message passed on is acknowledged, by the champion's first name.
        node = "sent" if ticket.champion else "sent_waiting"
        return [
            dataclasses.replace(reply, kind="receipt")
            for reply in self._runner.render_node(handoff_words.FLOW, node, variables)
        ]

    async def _back_to_bot(
        self,
        transaction: Transaction,
        ticket: tickets.OpenTicket,
        state: ConversationState,
        channel: str,
    ) -> list[Reply]:
        """ "Back to the bot": the hand-off ends, and the champion's transcript says so."""
        await transaction.run(tickets.parent_returned_to_bot, ticket)
        if ticket.relaying:
            state.handoff_note = handoff_words.WENT_BACK
        return await self._runner.run_node(state, "champion", "returned", channel)

    async def _confirmation(
        self,
        transaction: Transaction,
        ticket: tickets.OpenTicket,
        state: ConversationState,
        inbound: Inbound,
        text: str | None,
    ) -> list[Reply] | None:
        """A yes or no to "Leave your chat with Sam?" or "Delete everything?"; None when the
        message is something else (then it is for the champion)."""
        channel = inbound.channel
        leaving = state.node == handoff_words.LEAVE_CHECK
        if inbound.payload is not None:
            if not inbound.payload.startswith(f"{state.position}:"):
                return None
            if not leaving:
                return await self._runner.handle_payload(state, inbound.payload, channel)
            # "No" (the leave check's "Yes" is the word "bot", answered before this).
            answer = "no"
        else:
            answer = read_yes_no(text) if text is not None else None
            if answer is None:
                return None
            if not leaving:
                return await self._runner.handle_text(state, text or "", channel)
        if answer == "yes":
            return await self._back_to_bot(transaction, ticket, state, channel)
        state.flow, state.node = handoff_words.FLOW, handoff_words.STAY
        variables = handoff_words.champion_variables(state.variables, ticket.champion)
        return self._runner.render_node(state.flow, state.node, variables)

    def _transcript_text(self, inbound: Inbound, text: str | None) -> str | None:
        if inbound.payload is not None:
            return button_label(self._content.current, inbound.payload)
        if text is None and inbound.media_kind:
            return f"[{inbound.media_kind}]"
        return text
