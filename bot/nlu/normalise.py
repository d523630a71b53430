"""Put what parents type into one form before classifying it.

Parents write "E.H.C.P", "ehc plan", "statement" and "the LA" for the same
things; folding these lets a small training set cover them all. The same
function runs at training and at prediction.
"""

from __future__ import annotations

import re
import unicodedata

# Longest first so "ehc plan" wins over "plan". Whole words only.
_SYNONYMS: dict[str, str] = {
    r"e\.?h\.?c\.?p\.?s?": "ehcp",
    r"ehc plans?": "ehcp",
    r"education,? health (and|&) care plans?": "ehcp",
    r"statement(ed|s)?": "ehcp",
    r"e\.?h\.?c\.?n\.?a": "ehcp assessment",
    r"needs assessment": "ehcp assessment",
    r"local authority|the la|l\.a\.?|council": "council",
    r"s\.?e\.?n\.?c\.?o\.?": "senco",
    r"teaching assistant|t\.a\.?": "ta",
    r"pupil referral unit|p\.r\.u\.?": "pru",
    r"alternative provision": "ap",
    r"c\.?a\.?m\.?h\.?s": "camhs",
    r"asd|autism spectrum( disorder)?|autistic": "autism",
    r"1:1|1-1|one to one|1 to 1": "one-to-one",
}
_PATTERNS = [(re.compile(rf"\b(?:{pattern})\b"), word) for pattern, word in _SYNONYMS.items()]
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("’", "'").replace("‘", "'")
    for pattern, word in _PATTERNS:
        folded = pattern.sub(word, folded)
    return _SPACES.sub(" ", folded).strip()
