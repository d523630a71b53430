"""Every inbound message, from any channel, goes through `Dispatcher.handle`.

One message is one transaction: load (or create) the parent and their
conversation, answer a repeated delivery with the replies already given, step the
flow in memory, then write the new state, the message and the replies together.
Any failure rolls the whole step back and the parent gets a short apology, so
nothing is ever half-written.

While a Parent Champion has the conversation (an open ticket that is relaying),
the bot stays quiet: the parent's words are saved for the champion to read, and
only crisis screening and "back to the bot" are acted on.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.core.actions import step_transaction
from bot.core.answers import normalise
from bot.core.content import ContentHolder
from bot.core.outbound import push_message
from bot.core.runner import CONSENT, FlowRunner, button_label
from bot.core.state import ConversationState
from bot.core.types import Inbound, Reply
from bot.handoff import tickets
from bot.handoff.escalation import escalate
from bot.handoff.events import EventBus, ticket_topic
from bot.metrics import MESSAGES_IN, MESSAGES_OUT, NLU_SECONDS
from bot.nlu.classifier import Prediction
from bot.nlu.service import NluBackend, safe_predict
from bot.privacy.erase import erase_parent
from bot.safety.message import FALLBACK_TEXT
from bot.safety.screen import Screening, screen
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
    ) -> None:
        self._database = database
        self._runner = runner
        self._content = content
        self._nlu = nlu
        self._max_chars = max_message_chars
        self._events = events
        # Off in the admins' preview chat: trying a draft must not reach champions.
        self._handoffs = handoffs

    async def handle(self, inbound: Inbound) -> list[Reply]:
        notes: list[Reply] = []
        full_text = clean_text(inbound.text) if inbound.text is not None else None
        text = full_text
        if inbound.payload is not None:
            inbound = dataclasses.replace(inbound, payload=clean_text(inbound.payload))
        if text is not None and len(text) > self._max_chars:
            text = text[: self._max_chars]
            notes.append(Reply(self._content.current.system_text("too_long")))
        # Understanding and crisis screening come first and need no database, so
        # a parent in crisis gets the numbers even if saving the message fails.
        # The whole message is screened, even the part beyond the length limit.
        prediction = await self._understand(text)
        screening = screen(full_text, prediction) if full_text else Screening(False)
        if screening.crisis:
            notes = []  # the crisis message comes first and alone
            reasons = ",".join(screening.reasons)
            log.warning("crisis detected on channel %s (%s)", inbound.channel, reasons)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                replies, ticket_id = await self._step(inbound, text, prediction, screening)
            except (store.ConcurrentStep, IntegrityError):
                # Two deliveries of one parent raced; the loser re-reads and retries.
                log.info("conversation step raced another; retry %d of %d", attempt, _ATTEMPTS)
            except Exception:
                log.exception(
                    "conversation step failed on channel %s; rolled back", inbound.channel
                )
                break
            else:
                if ticket_id is not None and self._events is not None:
                    self._events.publish("queue", ticket_topic(ticket_id))
                MESSAGES_IN.labels(inbound.channel).inc()
                MESSAGES_OUT.labels(inbound.channel).inc(len(notes) + len(replies))
                return notes + replies
        if screening.crisis:
            return [Reply(self._crisis_text())]
        return [Reply(self._content.current.system_text("error"))]

    async def _understand(self, text: str | None) -> Prediction | None:
        # Dates, numbers and empty messages carry no intent and no risk words.
        if self._nlu is None or not text or not any(c.isalpha() for c in text):
            return None
        with NLU_SECONDS.time():
            return await safe_predict(self._nlu, text)

    def _crisis_text(self) -> str:
        content = self._content.current
        node = content.node("crisis", content.start_of("crisis") or "")
        return node.say if node is not None and node.say else FALLBACK_TEXT

    async def _step(
        self,
        inbound: Inbound,
        text: str | None,
        prediction: Prediction | None,
        screening: Screening,
    ) -> tuple[list[Reply], int | None]:
        """One message, in one transaction. Returns the replies and the ticket it touched."""
        async with self._database.transaction() as transaction:
            loaded = await transaction.run(store.load_or_create, inbound.channel, inbound.chat_id)
            if inbound.message_id and loaded.version is not None:
                earlier = await transaction.run(
                    store.find_inbound, loaded.parent_id, inbound.message_id
                )
                if earlier is not None:
                    return await transaction.run(store.replies_to, earlier), None
            state = loaded.state or self._runner.new_state()
            state.parent_id = loaded.parent_id
            channel = inbound.channel
            ticket = None
            if loaded.version is not None:
                ticket = await transaction.run(tickets.open_ticket_of, loaded.parent_id)
            ticket_id = ticket.id if ticket is not None else None
            with step_transaction(transaction):
                replies = await self._answer(
                    transaction, loaded, state, ticket, inbound, text, prediction, screening
                )
            if state.erase:
                # "Delete my data", confirmed: nothing of this step is kept either.
                await transaction.run(erase_parent, loaded.parent_id)
                await transaction.run(self._goodbye_outbox, inbound, replies)
                return replies, None
            if self._handoffs and (state.new_handoff or screening.crisis):
                # Every crisis reaches a champion, whatever the flow said.
                ticket_id = await transaction.run(
                    escalate, loaded.parent_id, channel, state, screening.crisis
                )
            # Typed words are kept only with the parent's agreement, or when a person
            # must read them: someone in crisis, or a champion who has the chat.
            keep_words = (
                state.variables.get(CONSENT) == "yes" or screening.crisis or ticket_id is not None
            )
            words = self._transcript_text(inbound, text) if keep_words or inbound.payload else None
            if inbound.payload and inbound.payload.startswith("global:") and loaded.version:
                # A word button ("OK, let's start" is "agree"): record the words pressed.
                shown = await transaction.run(
                    store.recent_button_label, loaded.parent_id, inbound.payload
                )
                words = shown or words
            record = store.InboundRecord(
                external_id=inbound.message_id, text=words, payload=inbound.payload
            )
            await transaction.run(store.save_turn, loaded, state, record, replies)
            return replies, ticket_id

    async def _answer(
        self,
        transaction: Transaction,
        loaded: store.LoadedConversation,
        state: ConversationState,
        ticket: tickets.OpenTicket | None,
        inbound: Inbound,
        text: str | None,
        prediction: Prediction | None,
        screening: Screening,
    ) -> list[Reply]:
        """What to say: the champion's relay, the crisis message, or the next step of the flow."""
        channel = inbound.channel
        if ticket is not None and self._wants_bot_back(inbound, text):
            await transaction.run(tickets.parent_returned_to_bot, ticket)
            return await self._runner.run_node(state, "champion", "returned", channel)
        if ticket is not None and ticket.relaying and not screening.crisis:
            return await self._relay(transaction, ticket, state, inbound, text)
        if ticket is not None and ticket.relaying:
            state.urgent = True
            return [Reply(self._crisis_text())]  # the champion is already there
        if screening.crisis:
            return await self._runner.crisis(state, channel)
        if loaded.state is None:
            replies = await self._runner.begin(state, channel)
            if text and prediction is not None and prediction.intent != "greeting":
                # Their first message was a question: answer it after the welcome.
                replies += await self._runner.handle_text(state, text, channel, prediction)
            return replies
        if inbound.payload is not None:
            return await self._runner.handle_payload(state, inbound.payload, channel)
        if text is not None:
            return await self._runner.handle_text(state, text, channel, prediction)
        return await self._runner.handle_media(state, channel)

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
        """A message while a champion has the conversation: saved for them, not answered."""
        content = self._content.current
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
        if ticket.status == "waiting" and ticket.parent_messages == 0:
            return self._runner.render_node("champion", "passed_on", state.variables)
        return []

    def _transcript_text(self, inbound: Inbound, text: str | None) -> str | None:
        if inbound.payload is not None:
            return button_label(self._content.current, inbound.payload)
        if text is None and inbound.media_kind:
            return f"[{inbound.media_kind}]"
        return text
