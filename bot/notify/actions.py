"""Flow actions for flows/notify.yml: e-mail me when a Parent Champion replies.

They compute and store; the words are in the flow. E-mail is offered only on the
web chat (Telegram and WhatsApp already reach the parent's phone) and only when
SMTP_URL is set: the registry built for a running service gets actions that know
(`register(registry, enabled=True)` from bot/services.py); the default registry,
used by `bot check`, has them switched off.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.actions import ActionContext, ActionRegistry, ActionResult
from bot.handoff.tickets import resume_relay
from bot.notify import contacts
from bot.notify.code_limits import CodeLimits

WEB = "web"


@dataclass(frozen=True, slots=True)
class EmailActions:
    enabled: bool
    limits: CodeLimits | None = None

    def _usable(self, context: ActionContext) -> bool:
        return self.enabled and context.channel == WEB and context.parent_id is not None

    async def offer(self, context: ActionContext) -> ActionResult:
        """`email_offer`: yes when the hand-off message should offer the e-mail button."""
        offer = False
        if self._usable(context):
            try:
                offer = not await context.store(contacts.is_confirmed, context.parent_id)
            except RuntimeError:  # a dry run of the flow, no database: offer nothing
                offer = False
        return ActionResult(variables={"email_offer": "yes" if offer else "no"})

    async def send_code(self, context: ActionContext) -> ActionResult:
        """`email_step`: code_sent, bad (not an address), too_many (codes this hour) or
        unavailable."""
        typed = str(context.variables.get("email_typed") or "")
        forget = {"email_typed": ""}  # the address lives in its own table, not here
        if not self._usable(context):
            return ActionResult(variables={**forget, "email_step": "unavailable"})
        address = contacts.clean_address(typed)
        if address is None:
            return ActionResult(variables={**forget, "email_step": "bad"})
        if self.limits is not None and not await self.limits.allow(context.parent_id, address):
            # No code now; the chat goes back to the champion (the e-mail button paused it).
            await context.store(resume_relay, context.parent_id)
            return ActionResult(variables={**forget, "email_step": "too_many"})
        await context.store(contacts.start_confirming, context.parent_id, address)
        return ActionResult(variables={**forget, "email_step": "code_sent"})

    async def check_code(self, context: ActionContext) -> ActionResult:
        """`email_step`: confirmed, wrong (with `email_tries_left`), expired or none."""
        typed = str(context.variables.get("email_code_typed") or "")
        forget = {"email_code_typed": ""}
        if not self._usable(context):
            return ActionResult(variables={**forget, "email_step": "unavailable"})
        checked = await context.store(contacts.check_code, context.parent_id, typed)
        if checked.outcome == "confirmed":
            # Pressing the e-mail button paused the hand-off's relay; back to the champion.
            await context.store(resume_relay, context.parent_id)
        return ActionResult(
            variables={
                **forget,
                "email_step": checked.outcome,
                "email_tries_left": checked.tries_left,
            }
        )

    async def stop(self, context: ActionContext) -> ActionResult:
        """`email_stopped`: yes when an address was held and is now deleted."""
        stopped = False
        if context.parent_id is not None:
            try:
                stopped = bool(await context.store(contacts.stop, context.parent_id))
            except RuntimeError:
                stopped = False
        return ActionResult(variables={"email_stopped": "yes" if stopped else "no"})


def register(registry: ActionRegistry, enabled: bool = False, redis_url: str = "") -> None:
    actions = EmailActions(enabled, CodeLimits(redis_url) if enabled else None)
    registry.register("email_offer")(actions.offer)
    registry.register("email_send_code")(actions.send_code)
    registry.register("email_check_code")(actions.check_code)
    registry.register("email_stop")(actions.stop)
