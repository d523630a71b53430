"""The words that work at any time, while a Parent Champion has the chat.

The hint under the chat box promises that menu, back, help, human, stop, mydata and
delete work at any time. While a champion has the conversation (bot/core/dispatcher.py,
`_relay`) they mean:

- help, human: a short note that a Parent Champion is already here; the words are
  passed on to the champion as typed.
- menu, back: "Leave your chat with Sam and go back to Champion?" Yes ends the
  hand-off as "back to the bot" does; the champion's transcript says the parent went
  back to the bot. Not passed on.
- stop: as at any other time; the hand-off ends and the champion sees that the parent
  stopped. Not passed on.
- mydata, delete: as at any other time, with their confirmations. Not passed on.
- "stop emails": stops the e-mail alerts (flows/notify.yml). Not passed on.
"""

from __future__ import annotations

from bot.core.answers import normalise

FLOW = "champion"
GLOBAL_PREFIX = "global:"
ALREADY_HERE = ("help", "human")
LEAVE = ("menu", "back")
OWN_WAY = ("stop", "mydata", "delete")  # the bot answers them exactly as it always does
WORDS = ALREADY_HERE + LEAVE + OWN_WAY
# Typed forms that mean one of the words.
ALIASES = {
    "my data": "mydata",
    "get my data": "mydata",
    "main menu": "menu",
    "go back": "back",
    "delete my data": "delete",
}
# Typed phrases the bot answers itself even while a champion has the chat, as the
# flow node they name: not passed on (stopping the e-mail alerts, bot/notify/).
BOT_PHRASES = {
    "stop emails": ("notify", "stop"),
    "stop email": ("notify", "stop"),
    "stop e-mails": ("notify", "stop"),
    "stop e-mail": ("notify", "stop"),
}
# The question asked before leaving the champion, and the steps that wait for a yes or
# no while the champion has the chat. Anything else typed there is passed on instead.
LEAVE_CHECK = "leave_check"
STAY = "stay"
CONFIRMING = {f"{FLOW}:{LEAVE_CHECK}", "privacy:delete"}
# What the champion's transcript shows in place of the words.
WENT_BACK = "[The parent went back to the bot.]"
STOPPED = "[The parent typed stop and ended the chat.]"


def word_of(payload: str | None, text: str | None) -> str | None:
    """The global word a message is, if it is one that works during a hand-off."""
    if payload is not None:
        word = payload.removeprefix(GLOBAL_PREFIX) if payload.startswith(GLOBAL_PREFIX) else ""
    elif text is not None:
        word = normalise(text).lstrip("/")
        word = ALIASES.get(word, word)
    else:
        return None
    return word if word in WORDS else None


def champion_variables(variables: dict[str, object], champion: str | None) -> dict[str, object]:
    """The conversation's variables with the champion's first name as `champion`."""
    return {**variables, "champion": champion or ""}


def bot_phrase(text: str | None) -> tuple[str, str] | None:
    """The (flow, node) a typed phrase the bot answers during a hand-off asks for."""
    if text is None:
        return None
    return BOT_PHRASES.get(normalise(text).strip(" .!"))
