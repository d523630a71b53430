"""The crisis message: kept in flows/crisis.yml, checked, with a built-in fallback.

Admins may reword it, but never lose the numbers: a crisis message without them
is refused by `python -m bot check` and by the loader. If the crisis flow is
missing or broken, FALLBACK_TEXT is sent instead: this is the one parent-facing
text that also lives in code, because it must never fail.
"""

from __future__ import annotations

import re

# Checked against NHS England and the charities' own pages; see knowledge/crisis-help.md.
REQUIRED_NUMBERS: dict[str, str] = {
    "999": "emergency services",
    "111": "NHS 111 (mental health option)",
    "116 123": "Samaritans",
    "0800 1111": "Childline",
    "85258": "Shout",
    "0808 800 5000": "NSPCC",
    "0800 068 4141": "Papyrus HOPELINE247",
}

FALLBACK_TEXT = (
    "I'm so sorry things are this hard. If anyone is in danger right now, call 999.\n"
    "- Mental health crisis: call NHS 111 and choose option 2, any time\n"
    "- Samaritans, for anyone who needs to talk, any time: 116 123\n"
    "- Text SHOUT to 85258, any time\n"
    "- Childline, for children and young people under 19: 0800 1111\n"
    "- NSPCC, if you're worried about a child: 0808 800 5000 (phone Monday to Friday 8am to "
    "10pm, weekends 9am to 6pm; online form any time)\n"
    "- Papyrus HOPELINE247, for under-35s with thoughts of suicide: 0800 068 4141, any time"
)

_DIGITS = re.compile(r"\D")


def missing_numbers(text: str) -> list[str]:
    """The required numbers this text does not contain (spacing and bold ignored)."""
    digits = _DIGITS.sub("", text)
    return [
        f"{number} ({who})"
        for number, who in REQUIRED_NUMBERS.items()
        if _DIGITS.sub("", number) not in digits
    ]
