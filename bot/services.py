"""Builds the running service's parts from settings, in one place.

Used by the web app's start-up and by the CLI, so both see the same content,
database and dispatcher.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.channels.flood import FloodLimits
from bot.channels.webchat_secrets import load_key
from bot.config import Settings
from bot.content.loading import load_files
from bot.content.releases import (
    Release,
    add_release,
    files_from_dirs,
    get_release,
    latest_release,
    latest_release_id,
)
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
from bot.notify.actions import register as register_notify
from bot.reading.reader import MessageReader
from bot.safety.classifier import CrisisClassifier, load_crisis_training
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
    reader: MessageReader
    redis_bridge: RedisBridge | None = None
    # The web chat's key for session secrets, and its flood limits.
    session_key: bytes = b""
    flood: FloodLimits | None = None

    async def close(self) -> None:
        if self.redis_bridge is not None:
            await self.redis_bridge.stop()
        await self.nlu.close()
        await self.database.dispose()


async def start_services(settings: Settings, actions: ActionRegistry | None = None) -> Services:
    actions = actions or default_actions()
    # E-mail only with SMTP_URL; code e-mails are counted where the flood limits are.
    register_notify(actions, enabled=bool(settings.smtp_url), redis_url=settings.redis_url)
    nlu = start_nlu(settings)
    reader = start_reader(settings)
    database = Database(settings.sqlalchemy_url)
    await migrate.upgrade(database)
    release = await published_release(database, settings)
    loaded = load_files(release.files, settings, actions)
    for problem in loaded.flows.problems + loaded.library.problems:
        log.warning("content problem: %s", problem)
    log.info(
        "loaded content release %d: %d flows and %d articles",
        release.id,
        len(loaded.flows.flows),
        len(loaded.library.articles),
    )
    # The crisis rules' fast matcher takes about a second to build; build it now, not
    # while the first parent after a restart waits for the numbers.
    loaded.content.crisis_rules.matcher()
    holder = ContentHolder(loaded.content, release.id)
    runner = FlowRunner(holder, actions, confident=settings.nlu_confident)
    events = EventBus()
    bridge = None
    if settings.redis_url:
        bridge = RedisBridge(settings.redis_url, events)
        await bridge.start()
        log.info("live notices shared over Redis")
    dispatcher = Dispatcher(
        database, runner, holder, nlu, settings.max_message_chars, events, reader=reader
    )
    from bot.plan.intake import long_plan_limit  # here: it imports this module

    dispatcher.long_text_limit = long_plan_limit(database)  # a pasted plan is read whole
    return Services(
        settings,
        database,
        holder,
        actions,
        runner,
        dispatcher,
        nlu,
        events,
        reader,
        bridge,
        session_key=load_key(settings.session_secret_key, settings.data_dir),
        flood=FloodLimits(
            settings.chat_messages_per_minute,
            settings.chat_new_sessions_per_minute,
            settings.redis_url,
        ),
    )


async def published_release(database: Database, settings: Settings) -> Release:
    """The latest release; on the very first start, flows/ and knowledge/ become release 1."""
    async with database.transaction() as transaction:
        release = await transaction.run(latest_release)
        if release is None:
            files = files_from_dirs(settings.flows_dir, settings.knowledge_dir)
            note = "Imported from flows/ and knowledge/ on first start"
            await transaction.run(add_release, files, "system", note)
            release = await transaction.run(latest_release)
    assert release is not None
    return release


async def follow_published(services: Services) -> bool:
    """Load a release another process (or admin) published since ours; True if changed."""
    newest = await services.database.read(latest_release_id)
    if newest <= services.content.release_id:
        return False
    release = await services.database.read(get_release, newest)
    if release is None:
        return False
    # Off the event loop: loading all content (and readying the crisis rules, see
    # start_services) takes long enough to hold up every parent's message.
    loaded = await asyncio.to_thread(load_files, release.files, services.settings, services.actions)
    await asyncio.to_thread(loaded.content.crisis_rules.matcher)
    services.content.replace(loaded.content, release.id)
    log.info("now serving content release %d", release.id)
    return True


def start_reader(settings: Settings) -> MessageReader:
    """The message reader with its crisis classifier: always in this process, whatever
    NLU backend is set, so safety never waits on another server."""
    training = load_crisis_training(settings.nlu_data_dir)
    classifier = CrisisClassifier.load_or_train(training, settings.classifier_cache_dir)
    return MessageReader(classifier, settings.max_message_chars)


def start_nlu(settings: Settings) -> NluBackend:
    if settings.nlu_backend == "rasa":
        return RasaNlu(settings.rasa_url)
    return InProcessNlu.from_data(settings.nlu_data_dir, settings.classifier_cache_dir)
