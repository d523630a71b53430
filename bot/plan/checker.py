"""Which provision sentences are not specific or quantified, and what each lacks.

The SEND Code of Practice 2015 (para 9.69) says provision in Section F must be
detailed and specific and should normally be quantified (type, hours, frequency,
level of expertise); the Upper Tribunal said words like "support", "input" and
"opportunities" are unlikely to be enough (Worcestershire CC v SE [2020] UKUT 217
(AAC)). The rules below look for what a reader needs to enforce a sentence: who
delivers it (and their qualification), how often, for how long, in what group, in
binding words, with no vague words.

The gaps are ids ("who", "frequency"...); flows/plan_check.yml puts them in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GAPS = ("who", "qualification", "frequency", "duration", "group_size", "non_binding", "vague_words")

_NUMBER = (
    r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|"
    r"thirty|forty|forty-five|sixty|half an?)"
)

NON_BINDING = re.compile(
    r"\b(?:should|may|might|could|would\s+benefit\s+from|would\s+be\s+(?:helpful|beneficial)|"
    r"will\s+benefit\s+from|benefits?\s+from|it\s+is\s+recommended|"
    r"recommended(?!\s+(?:by|in)\b)|is\s+advised|"
    r"encouraged\s+to|ideally|where\s+possible|if\s+possible|where\s+available|"
    r"subject\s+to\s+(?:availability|funding|resources)|as\s+far\s+as\s+possible|aim\s+to|"
    r"try\s+to|consider)\b",
    re.I,
)
VAGUE = re.compile(
    r"\b(?:access\s+to|regular(?:ly)?|opportunit(?:y|ies)|as\s+(?:and\s+when\s+)?required|"
    r"as\s+appropriate|when\s+appropriate|if\s+appropriate|as\s+needed|when\s+needed|"
    r"as\s+necessary|when\s+necessary|up\s+to|support\s+from|input|monitor(?:ed|ing)?|"
    r"some|periodic(?:ally)?|ongoing|frequent(?:ly)?|occasional(?:ly)?|flexible|"
    r"a\s+range\s+of|various|where\s+appropriate|at\s+times|from\s+time\s+to\s+time|"
    r"as\s+directed|appropriate\s+(?:support|provision|strategies)|adequate|sufficient|"
    r"additional\s+adult\s+support|level\s+of\s+support|"
    r"(?:high|low|appropriate|agreed)\s+level\s+of|to\s+be\s+(?:determined|agreed|decided)|"
    r"(?:reviewed|determined|decided)\s+by\s+(?:the\s+)?school|at\s+the\s+discretion|"
    r"advice\s+(?:and|&)\s+guidance|consultation|strategies\s+(?:such\s+as|including))\b",
    re.I,
)
FREQUENCY = re.compile(
    rf"\b(?:daily|weekly|fortnightly|twice|once|every\s+(?:day|morning|afternoon|lesson|week|"
    rf"school\s+day|break|lunchtime|half[- ]term|term)|each\s+(?:day|morning|afternoon|week|"
    rf"lesson|school\s+day|term|half[- ]term)|per\s+(?:day|week|term|half[- ]term|fortnight|"
    rf"session|month|year)|a\s+(?:day|week|fortnight|term|month)|{_NUMBER}\s+times|"
    rf"every\s+(?:hour|other\s+week|fortnight|month|{_NUMBER}\s+(?:minutes|weeks|days))|"
    rf"each\s+(?:hour|fortnight|month)|hourly|"
    rf"termly|half[- ]termly|monthly|annually|mon(?:day)?s?\b|(?:tues|wednes|thurs|fri)days?)\b",
    re.I,
)
DURATION = re.compile(
    rf"\b(?:{_NUMBER}\s*[- ]?(?:minutes?|mins?|hours?|hrs?|sessions?|weeks?|lessons?|periods?)|"
    rf"(?:for|of)\s+an\s+hour|an\s+hour\s+(?:each|every|a|per)|"
    rf"full[- ]time|all\s+day|whole\s+(?:school\s+)?day|throughout\s+the\s+(?:school\s+)?day|"
    rf"for\s+the\s+(?:whole|full|entire)|at\s+all\s+times|all\s+(?:lessons|unstructured\s+times|"
    rf"break\s+and\s+lunch)|every\s+lesson|during\s+(?:all|every|each))\b",
    re.I,
)
CONTINUOUS = re.compile(
    r"\b(?:full[- ]time|at\s+all\s+times|throughout\s+the\s+(?:school\s+)?day|all\s+day|"
    r"whole\s+(?:school\s+)?day|every\s+lesson|all\s+lessons|in\s+all\s+lessons|"
    r"(?:every|each|all)\s+(?:tests?|exams?|assessments?)|"
    r"(?:all|every|each)\s+(?:\w+\s+){0,2}?(?:lessons?|exams?|tests?|work|lunchtimes?|"
    r"breaks?|assembl\w+|transitions?|unstructured\s+times?|subjects?|mornings?)|"
    r"during\s+(?:all|every|each)\s+\w+|all\s+unstructured\s+times|throughout\s+\w+\s+(?:school|"
    r"day|lessons))\b",
    re.I,
)
WHO = re.compile(
    r"\b(?:teach(?:er|ing\s+assistant)s?|TAs?|HLTAs?|LSAs?|learning\s+support\s+assistants?|"
    r"SENCOs?|SENDCos?|therapists?|SALTs?|SaLTs?|OTs?|physiotherapists?|psychologists?|EPs?|"
    r"specialist\s+\w+|key\s+worker|keyworker|mentors?|counsell?ors?|adults?|staff|"
    r"practitioners?|tutors?|advisory\s+teacher|outreach|nurse|assistants?|support\s+workers?|"
    r"interven(?:er|or)s?|class\s+teacher|form\s+tutor|ELSA|coach)\b"
)
WHO_LOWER = re.compile(
    r"\b(?:teach(?:er|ing\s+assistant)s?|learning\s+support\s+assistants?|therapists?|"
    r"physiotherapists?|psychologists?|specialist\s+\w+|key\s*worker|mentors?|counsell?ors?|"
    r"adults?|staff|practitioners?|tutors?|nurse|assistants?|support\s+workers?|coach|"
    r"scribe|reader|invigilator|"
    r"senco|sendco)\b",
    re.I,
)
QUALIFIED = re.compile(
    r"\b(?:qualified|trained|training\s+in|experienced|experience\s+(?:in|of)|HCPC|registered|"
    r"accredited|certified|level\s+\d|specialist|therapist|psychologist|physiotherapist|"
    r"SALT|SaLT|OT|EP|teacher\s+of\s+the\s+deaf|QTVI|QToD|ELSA|degree|postgraduate|"
    r"SENCO|SENDCo|HLTA|advisory\s+teacher|nurse)\b"
)
# Roles that are a qualification in themselves.
GROUP = re.compile(
    r"\b(?:1\s*:\s*1|1\s*-\s*1|1\s*to\s*1|one[- ]to[- ]one|one[- ]on[- ]one|individual(?:ly)?|"
    r"on\s+(?:his|her|their)\s+own|small\s+group\s+of\s+(?:no\s+more\s+than\s+|up\s+to\s+|"
    rf"at\s+most\s+)?{_NUMBER}|group\s+of\s+(?:no\s+more\s+than\s+|at\s+most\s+|up\s+to\s+)?"
    rf"{_NUMBER}|"
    rf"{_NUMBER}\s+(?:pupils|children|students|learners)|\d\s*:\s*\d|pairs?|paired|whole[- ]class|"
    r"class\s+of\s+\d+|1:2|1:3|1:4)\b",
    re.I,
)
# Vague on their own, but not once who, how often and how long are all stated
# ("25 hours per week of additional adult support from a trained TA, 1:1").
SOFT_VAGUE = (
    "support from",
    "input",
    "access to",
    "consultation",
    "additional adult support",
    "ongoing",
    "advice and guidance",
    "advice & guidance",
    "as directed",
    "opportunity",
    "opportunities",
    "strategies such as",
    "strategies including",
)
# Watching progress has no length: "the SENCO will monitor it every half term" is
# pinned down by who and how often.
MONITORING = ("monitor", "monitored", "monitoring")
# Vague only for want of a frequency: "regular weekly sessions", "frequent breaks,
# at least every 30 minutes".
VAGUE_FREQUENCY = ("regular", "regularly", "frequent", "frequently")
# "Up to" capping a group ("a group of up to 4 pupils") is a group size, not a hedge
# ("up to 15 hours of support" still is).
GROUP_CAP = re.compile(
    rf"\b(?:group\s+of\s+up\s+to\s+{_NUMBER}|up\s+to\s+{_NUMBER}\s+(?:other\s+)?"
    r"(?:pupils|children|students|learners|others))\b",
    re.I,
)
# What the help is for ("so that she could eat with others", "to help her consider
# her plan"): a modal there is about the child, not a hedge on the provision. Hedges
# such as "where possible" still count wherever they are.
PURPOSE = re.compile(
    r"\b(?:so\s+that|so|in\s+order\s+that|in\s+order\s+to|to\s+help|helps?|helping|"
    r"to\s+enable|enables?|to\s+allow|allows?)\b",
    re.I,
)
PURPOSE_MODALS = ("could", "might", "may", "should", "would", "consider", "try to", "aim to")
# "May" the month ("from May 2026") is not "may" the hedge.
MAY_MONTH = re.compile(
    r"\b(?:in|from|by|until|since|before|after|of|during|end\s+of)\s+May\b|\bMay\s+\d", re.I
)
# Sentences that describe provision (rather than a heading, an outcome or a need).
PROVISION_HINT = re.compile(
    r"\b(?:will|to\s+receive|receives?|requires?|needs?|provided?|provision|support|sessions?|"
    r"programme|therapy|teaching|access|opportunit\w*|benefit\w*|deliver\w*|work\s+with|input|help|use|would|could|monitor\w*|"
    r"should|may|must|shall|has|have|be\s+given|given)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Finding:
    sentence: str
    vague: bool
    gaps: tuple[str, ...]  # ids from GAPS
    words: tuple[str, ...] = field(default_factory=tuple)  # the vague or non-binding words


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: list[Finding]

    @property
    def vague(self) -> list[Finding]:
        return [f for f in self.findings if f.vague]

    @property
    def fine(self) -> list[Finding]:
        return [f for f in self.findings if not f.vague]


_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9•\-–(])|\n+|\s*[•▪●◦·]\s*")


def provision_sentences(text: str) -> list[str]:
    """The sentences of Section F that say what is provided (bullets and lines too)."""
    out: list[str] = []
    for piece in _SPLIT.split(text):
        sentence = re.sub(r"\s+", " ", piece or "").strip(" -–—*\t")
        if len(sentence.split()) < 4 or not PROVISION_HINT.search(sentence):
            continue
        out.append(sentence)
    return out


def _found(pattern: re.Pattern[str], sentence: str) -> list[str]:
    seen: list[str] = []
    for match in pattern.finditer(sentence):
        word = re.sub(r"\s+", " ", match.group(0).lower())
        if word not in seen:
            seen.append(word)
    return seen


def check_sentence(sentence: str) -> Finding:
    non_binding = _found(NON_BINDING, MAY_MONTH.sub(" ", sentence))
    purpose = PURPOSE.search(sentence)
    if purpose is not None and non_binding:
        hedges_before = _found(NON_BINDING, MAY_MONTH.sub(" ", sentence[: purpose.start()]))
        non_binding = [w for w in non_binding if w not in PURPOSE_MODALS or w in hedges_before]
    vague_words = _found(VAGUE, GROUP_CAP.sub(" group ", sentence))
    continuous = bool(CONTINUOUS.search(sentence))
    gaps: list[str] = []
    has_who = bool(WHO.search(sentence) or WHO_LOWER.search(sentence))
    if not has_who:
        gaps.append("who")
    elif not QUALIFIED.search(sentence):
        gaps.append("qualification")
    has_frequency = continuous or bool(FREQUENCY.search(sentence))
    if not has_frequency:
        gaps.append("frequency")
    has_duration = continuous or bool(DURATION.search(sentence))
    if not has_duration:
        gaps.append("duration")
    if not GROUP.search(sentence):
        gaps.append("group_size")
    if non_binding:
        gaps.append("non_binding")
    if vague_words:
        gaps.append("vague_words")
    pinned: set[str] = set()
    if has_frequency:
        pinned.update(VAGUE_FREQUENCY)
    if has_who and has_frequency:
        pinned.update(MONITORING)
    if has_who and has_frequency and has_duration:
        # "full-time 1:1 support from a trained TA": the soft words are pinned down.
        pinned.update(SOFT_VAGUE)
    vague_words = [w for w in vague_words if w not in pinned]
    if not vague_words and "vague_words" in gaps:
        gaps.remove("vague_words")
    unquantified = not has_frequency or (not has_duration and not has_who)
    vague = bool(non_binding or vague_words or unquantified)
    return Finding(sentence, vague, tuple(gaps), tuple(non_binding + vague_words))


def check_text(text: str) -> CheckResult:
    return CheckResult([check_sentence(s) for s in provision_sentences(text)])
