"""Builds the running service's parts from settings, in one place.

Used by the web app's start-up and by the CLI, so both see the same content,
database and dispatcher.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.core.actions import ActionRegistry, default_actions
from bot.core.content import Content, ContentHolder
from bot.core.dispatcher import Dispatcher
from bot.core.runner import FlowRunner
from bot.flows.loader import FlowSet, load_flow_dir
from bot.handoff.events import EventBus
from bot.handoff.redis_bridge import RedisBridge
from bot.knowledge.articles import Library, load_library
from bot.knowledge.letters import load_letters
from bot.nlu.service import InProcessNlu, NluBackend, RasaNlu
from bot.store import migrate
from bot.store.db import Database
from bot.triage.local_authorities import LocalAuthorities, load_local_authorities

log = logging.getLogger(__name__)


@dataclass(slots=True)
class LoadedContent:
    content: Content
    flows: FlowSet
    library: Library


def load_content(
    settings: Settings, actions: ActionRegistry, previous: FlowSet | None = None
) -> LoadedContent:
    library = load_library(settings.knowledge_dir)
    flows = load_flow_dir(settings.flows_dir, library.has, actions.has, previous)
    authorities_file = settings.knowledge_dir / "local_authorities.yml"
    authorities = (
        load_local_authorities(authorities_file)
        if authorities_file.exists()
        else LocalAuthorities()
    )
    letters = load_letters(settings.knowledge_dir / "letters")
    content = Content(flows.flows, library, authorities, letters)
    return LoadedContent(content, flows, library)


@dataclass(slots=True)
class Services:
    settings: Settings
    database: Database
    content: ContentHolder
    actions: ActionRegistry
    runner: FlowRunner
    dispatcher: Dispatcher
    nlu: NluBackend
    events: EventBus
    redis_bridge: RedisBridge | None = None

    async def close(self) -> None:
        if self.redis_bridge is not None:
            await self.redis_bridge.stop()
        await self.nlu.close()
        await self.database.dispose()


async def start_services(settings: Settings, actions: ActionRegistry | None = None) -> Services:
    actions = actions or default_actions()
    loaded = load_content(settings, actions)
    for problem in loaded.flows.problems + loaded.library.problems:
        log.warning("content problem: %s", problem)
    log.info(
        "loaded %d flows and %d articles", len(loaded.flows.flows), len(loaded.library.articles)
    )
    nlu = start_nlu(settings)
    database = Database(settings.sqlalchemy_url)
    await migrate.upgrade(database)
    holder = ContentHolder(loaded.content)
    runner = FlowRunner(holder, actions, confident=settings.nlu_confident)
    events = EventBus()
    bridge = None
    if settings.redis_url:
        bridge = RedisBridge(settings.redis_url, events)
        await bridge.start()
        log.info("live notices shared over Redis")
    dispatcher = Dispatcher(database, runner, holder, nlu, settings.max_message_chars, events)
    return Services(settings, database, holder, actions, runner, dispatcher, nlu, events, bridge)


def start_nlu(settings: Settings) -> NluBackend:
    if settings.nlu_backend == "rasa":
        return RasaNlu(settings.rasa_url)
    return InProcessNlu.from_data(settings.nlu_data_dir, settings.classifier_cache_dir)
