"""Confirmation-code e-mail limits hold when requests arrive at the same instant.

The limit used to test both counts and then add to them, so several requests at
once all passed the test before any was counted: a parent (or whoever holds their
session) could have many codes sent at once. The real `limits` library against the
real Redis every replica shares. (In memory the old way happened to hold, as nothing
there waits between the test and the count, so only Redis shows the race.)"""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest
import redis

from bot.notify.code_limits import CODES_PER_ADDRESS, CODES_PER_PARENT, CodeLimits

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def store() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (CI and `make test` machines have one)")
    return REDIS_URL


def fresh_parent() -> int:
    # Redis keeps counts for an hour: each run uses parents and addresses of its own.
    return random.randrange(10**12)


async def test_a_burst_from_one_parent_gets_no_more_than_the_hours_share(store: str) -> None:
    limits = CodeLimits(store)
    parent = fresh_parent()
    tries = [limits.allow(parent, f"{uuid.uuid4().hex}@example.org") for _ in range(10)]
    allowed = await asyncio.gather(*tries)
    assert sum(allowed) == CODES_PER_PARENT.amount


async def test_a_burst_to_one_address_from_many_parents_is_limited_too(store: str) -> None:
    limits = CodeLimits(store)
    address = f"Family-{uuid.uuid4().hex}@Example.org"
    tries = [limits.allow(fresh_parent(), address) for _ in range(20)]
    allowed = await asyncio.gather(*tries)
    assert sum(allowed) == CODES_PER_ADDRESS.amount
