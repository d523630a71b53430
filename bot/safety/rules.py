"""Words and phrases that mean a child or parent may be at risk of harm now.

These rules are the floor under the classifier: each one alone is enough to
treat a message as a crisis. They lean towards recall: a false alarm costs a
parent one kind message with phone numbers; a miss could cost far more. Figures
of speech that are common in this service ("the school is killing me", "I'm
dying to know") are deliberately not matched. Every pattern is exercised by
tests/test_crisis.py.
"""

from __future__ import annotations

import re

_SELF = r"(?:him|her|my|them|your|our)sel(?:f|ves)"
_CHILD = r"(?:my|our|the) (?:son|daughter|child|kid|boy|girl|kids|children|teenager|baby)"
_PERSON = rf"(?:me|him|her|them|us|{_CHILD}|the (?:kids|children))"
_ADULT = (
    r"(?:dad|father|mum|mother|partner|husband|wife|ex|boyfriend|girlfriend|stepdad|stepmum|"
    r"uncle|staff|teacher|carer|adult|man|woman|someone)"
)

PATTERNS: dict[str, list[str]] = {
    "suicide": [
        r"\bsuicid",
        rf"\bkill(?:s|ing|ed)? {_SELF}",
        r"\b(?:want|wants|wanted|wanting|going) to die\b",
        r"\bjust want to die\b",
        r"\bend(?:s|ing)? (?:it all|(?:his|her|my|their|our) (?:own )?life)\b",
        r"\btak(?:e|es|ing) (?:his|her|my|their) (?:own )?life\b",
        r"\bbetter off dead\b",
        r"\b(?:do ?n[o']?t|doesn'?t|does not|do not|no longer) want to (?:be alive|live|be here)",
        r"\bnot want(?:ing)? to (?:be alive|live)\b",
        r"\bno (?:point|reason) (?:in )?(?:living|to live|being alive|going on)\b",
        r"\b(?:jump|jumping) (?:off|from|in front)\b",
        r"\bthreaten\w* to jump\b",
        r"\bhang(?:ed|ing)? (?:him|her|my|them)sel",
        r"\bsuicide note\b",
        r"\bon the (?:bridge|roof|ledge)\b",
    ],
    "self_harm": [
        r"\bself[- ]?harm",
        rf"\b(?:cut|cuts|cutting|burn|burns|burning|hurt|hurts|hurting|harm|harms|harming|"
        rf"scratch\w*|starv\w*) {_SELF}",
        rf"\bcuts (?:on|all over) (?:his|her|their|my|{_CHILD}'s) "
        rf"(?:arms?|legs?|wrists?|body)",
        r"\b(?:bang|bangs|banging|hit|hits|hitting) (?:his|her|their) head\b.{0,40}\bbl(?:ood|eed)",
        r"\b(?:until|till|til) (?:it|they|he|she) bleeds?\b",
    ],
    "overdose": [
        r"\boverdos",
        r"\b(?:took|taken|take|takes|swallowed|swallow) (?:an? )?(?:load|lot|lots|handful|bunch|"
        r"loads|too many|too much|all) (?:of )?(?:his |her |my |their |the )?(?:pills|tablets|"
        r"paracetamol|meds|medication|medicine)",
        r"\bswallowed (?:pills|tablets|paracetamol|meds|bleach|batteries)",
        r"\btoo many (?:of (?:his|her|my|their) )?(?:pills|tablets|meds)\b",
    ],
    "abuse": [
        r"\b(?:being|been|is|was|are|were|getting) (?:sexually |physically |emotionally )?abused\b",
        r"\bsexual(?:ly)? (?:abus|assault)",
        r"\b(?:abusing|abuser)\b",
        r"\bdomestic (?:abuse|violence)\b",
        r"\btouch(?:ed|ing|es)? (?:him|her|them|my \w+) inappropriately\b",
        r"\bgroom(?:ed|ing)\b",
        r"\basking (?:him|her|them) to meet\b",
        r"\b(?:adult|man|woman|stranger|someone)\b.{0,60}\basking to meet\b",
    ],
    "violence": [
        rf"\b{_ADULT} (?:hits|hit|beats|beat|punches|punched|kicks|kicked|hurts|hurt|is hurting|"
        rf"has hurt|chokes|strangled|attacks|attacked) {_PERSON}",
        rf"\b(?:hit|beaten|hurt|attacked|punched|kicked) by (?:(?:his|her|their|my|a|the) )?"
        rf"{_ADULT}\b",
        r"\b(?:he|she|they|partner|husband|ex) (?:is|are|'s|'re)? ?violent\b",
        r"\b(?:knife|knives|stab|stabbed|stabbing|weapon|gun)\b",
        r"\bthreaten\w* to (?:kill|stab|hurt|harm)\b",
        rf"\b(?:attacked|assaulted) (?:me|us|{_CHILD})\b",
        rf"\b{_ADULT} hurt (?:him|her|them)\b",
    ],
    "missing": [
        r"\b(?:gone|went|go|goes|been|going) missing\b",
        rf"\b(?:he|she|they|{_CHILD}|my \w+) (?:is|was|are|were|has been|'s) missing\b",
        rf"\bcan(?:'?t|not) find (?:him|her|them|{_CHILD})\b",
        r"\b(?:ran|run|runs|running) (?:off|away)\b",
        r"\b(?:not|hasn'?t|has not|never) (?:come|came) home\b",
        r"\bdon'?t know where (?:he|she|they) (?:is|are)\b",
    ],
    "restraint": [
        r"\brestrain\w*\b.{0,80}\b(?:bruis|injur|hurt|marks?|bleed|blood|broke|pain|sprain|cut)",
        r"\b(?:bruis|injur|marks?)\w*\b.{0,80}\brestrain",
    ],
    "parent_risk": [
        r"\b(?:scared|afraid|frightened|worried|terrified) (?:that )?"
        r"i(?:'ll| will| might| could|'m going to| am going to| may)? "
        r"(?:hurt|harm|hit|lose it|snap|do something)",
        r"\bi (?:could|might|will|want to|am going to|'m going to|feel like i could) (?:hurt|harm|"
        r"kill|shake) (?:him|her|them|my|myself)\b",
        r"\b(?:scared|afraid|frightened|terrified) of what i (?:might|could|will|may) do\b",
        r"\bi'?m going to hurt myself\b",
        rf"\bcan(?:'?t|not) keep (?:him|her|them|myself|{_CHILD}) safe\b",
        r"\bi want to end it\b",
        r"\bi (?:don'?t|do not) want to (?:be here|live|wake up)\b",
    ],
    "danger": [
        r"\b(?:in|is in|are in) (?:immediate )?danger\b",
        r"\b(?:not|isn'?t|is not|aren'?t|are not) safe (?:at home|tonight|right now|here|with)",
        r"\bunsafe (?:at home|tonight|right now)\b",
        r"\bsafety tonight\b",
    ],
}

COMPILED: list[tuple[str, re.Pattern[str]]] = [
    (category, re.compile(pattern, re.IGNORECASE))
    for category, patterns in PATTERNS.items()
    for pattern in patterns
]


def matching_categories(text: str) -> list[str]:
    """The kinds of risk the text's wording points to (empty when none)."""
    folded = text.replace("’", "'").replace("‘", "'")
    found: list[str] = []
    for category, pattern in COMPILED:
        if category not in found and pattern.search(folded):
            found.append(category)
    return found
