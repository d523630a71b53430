"""The push sweep: send the pushes that are due with pywebpush (run by bot/scheduler.py).

pywebpush encrypts the message for the browser (aes128gcm, RFC 8291) and signs a
VAPID token for the push service (RFC 8292). Its HTTP call blocks, so it runs in a
worker thread, never on the event loop. Outcomes, by the push service's answer:
2xx sent; 404/410 the browser unsubscribed, so the subscription is deleted; 429, 5xx
or no answer at all, tried again later; any other refusal, failed for good. No
endpoint and no response body is logged: both can hold the capability URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from bot.notify import push_store as store
from bot.notify.push_keys import VapidKeys
from bot.store.models import utcnow

log = logging.getLogger(__name__)

# Built-in words, used only if flows/notify.yml's `data: push: message:` is missing.
# Neutral on purpose: a lock screen can be seen by anyone nearby.
NEUTRAL_MESSAGE = "A Parent Champion has replied"
REMINDER_MESSAGE = "You have a reminder from Champion"
# How long a push service keeps trying to reach a browser that is off (seconds).
TIME_TO_LIVE = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class PushSetup:
    keys: VapidKeys
    subject: str  # mailto: or https:, for the push service to reach the operator
    message: str = NEUTRAL_MESSAGE
    reminder_message: str = REMINDER_MESSAGE

    def payload(self, push: store.DuePush) -> str:
        """What the push carries. A reply's is its sentence (as before); a reminder's says
        only its kind, for the service worker to choose its own fixed sentence, and the
        sentence, for a reader that does not look at the kind."""
        if push.kind == "reminder":
            return json.dumps({"kind": "reminder", "message": self.reminder_message})
        return self.message

    def signer(self) -> Vapid02:
        return self.keys.signer()


class _Outcome:
    SENT = "sent"
    GONE = "gone"
    RETRY = "retry"
    FAILED = "failed"


def _deliver(setup: PushSetup, signer: Vapid02, push: store.DuePush) -> str:
    """One push, blocking (run in a thread). Returns an _Outcome; never raises."""
    try:
        webpush(
            push.subscription_info(),
            data=setup.payload(push),
            vapid_private_key=signer,
            # A fresh dict each time: pywebpush writes `aud` and `exp` into it.
            vapid_claims={"sub": setup.subject},
            ttl=TIME_TO_LIVE,
            timeout=store.SEND_TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            return _Outcome.GONE
        if status is None or status == 429 or status >= 500:
            return f"{_Outcome.RETRY}:{status or 'no answer'}"
        return f"{_Outcome.FAILED}:{status}"
    except (requests.RequestException, OSError) as exc:
        return f"{_Outcome.RETRY}:{type(exc).__name__}"
    except Exception as exc:  # anything else (a refused VAPID claim...): kept and retried
        # Its name only: an exception's text may quote the endpoint.
        log.error("push %d could not be made (%s)", push.id, type(exc).__name__)
        return f"{_Outcome.RETRY}:{type(exc).__name__}"
    return _Outcome.SENT


async def send_due(database: Any, setup: PushSetup, now: dt.datetime | None = None) -> int:
    """One sweep: send every push that is due. Returns how many were handled."""
    now = now or utcnow()
    async with database.transaction() as transaction:
        batch = await transaction.run(store.claim_due, now)
    # Measured on this process's clock from the claim, not from `now` (tests pass their own).
    stop_sending_at = time.monotonic() + (store.LEASE - store.LEASE_MARGIN).total_seconds()
    signer = setup.signer() if batch else None
    for push in batch:
        if push.seen:  # the open page showed the reply: nothing to tell
            async with database.transaction() as transaction:
                await transaction.run(store.finish, push, "skipped", now)
            continue
        if time.monotonic() >= stop_sending_at:
            # Too little of the lease left to be sure of finishing: the next sweep takes
            # the rest once it ends, rather than risk one push going twice.
            break
        outcome = await asyncio.to_thread(_deliver, setup, signer, push)
        kind, _, detail = outcome.partition(":")
        async with database.transaction() as transaction:
            if kind == _Outcome.SENT:
                await transaction.run(store.finish, push, "sent", utcnow())
            elif kind == _Outcome.GONE:
                await transaction.run(store.gone, push.subscription_id)
            elif kind == _Outcome.RETRY:
                kind = await transaction.run(store.retry, push, now, detail)
            else:
                await transaction.run(store.finish, push, "failed", now)
        if kind != _Outcome.SENT:
            log.warning("push %d: %s (%s)", push.id, kind, detail or "subscription ended")
    return len(batch)
