"""A council's colour for the embedded chat, with text that stays readable on it.

WCAG's contrast ratio is (L1 + 0.05) / (L2 + 0.05) of the relative luminances.
Black or white, whichever contrasts more, always reaches at least 4.58:1 on any
colour (the worst case is a mid grey), so the 4.5:1 that axe asks for always holds.
widget.js does the same sum for the launcher button on the council's page.
"""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
BLACK, WHITE = "#000000", "#ffffff"


def clean_colour(value: str | None) -> str | None:
    """`#rgb` or `#rrggbb` as lower-case `#rrggbb`; None for anything else."""
    if value is None or not HEX_COLOUR.match(value.strip()):
        return None
    digits = value.strip()[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever is easier to read on `background` (a clean colour)."""
    return BLACK if contrast(background, BLACK) >= contrast(background, WHITE) else WHITE
