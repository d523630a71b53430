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

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NUMBER = (
    r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|"
    r"thirty|forty|forty-five|sixty|half an?)"
)

NON_BINDING = re.compile(
    r"\b(?:should|may|might|could|would\s+benefit\s+from|would\s+be\s+(?:helpful|beneficial)|"
    r"will\s+benefit\s+from|benefits?\s+from|it\s+is\s+recommended|"
    r"(?<!-)recommended(?!\s+(?:by|in)\b)|is\s+advised|"
    r"encouraged\s+to|ideally|wher(?:e|ever)\s+possible|if\s+possible|where\s+available|"
    r"it\s+is\s+expected|from\s+within\s+(?:its|their|existing|the\s+school's)\s+(?:own\s+)?resources|"
    r"subject\s+to\s+(?:availability|funding|resources)|as\s+far\s+as\s+possible|aim\s+to|"
    r"try\s+to|consider|"
    # Conditions the council can hide behind, and advice rather than a duty.
    r"(?:where|when|if|as)\s+(?:resources|staffing|funding|time|capacity)\s+(?:allows?|permits?)|"
    r"(?:if|when|where)\s+(?:available|possible|practicable|feasible|eligible)|"
    r"it\s+is\s+(?:suggested|hoped)|(?:is|are)\s+advised|(?:is|are)\s+likely\s+to\s+need|"
    r"preferably|can\s+be\s+(?:offered|provided|considered))\b",
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
    r"advice\s+(?:and|&)\s+guidance|consultation|strategies\s+(?:such\s+as|including)|"
    r"(?:as\s+)?deemed\s+(?:appropriate|necessary)|deems?\s+(?:appropriate|necessary)|"
    # "when she needs it" is "when needed" said another way.
    r"(?:if|when|whenever)\s+(?:he|she|they)\s+needs?|"
    r"(?:if|when|where|whenever)\s+(?:required|needed|necessary|appropriate))\b",
    re.I,
)
FREQUENCY = re.compile(
    rf"\b(?:daily|weekly|fortnightly|twice|once|every\s+(?:day|morning|afternoon|lesson|week|"
    rf"school\s+day|weekday|break|lunchtime|half[- ]term|term)|"
    rf"(?:per|each|every)\s+\w+\s+day|"
    rf"on\s+(?!(?:most|some|many|certain|bad|good|difficult|other|these|those|few)\b)\w+\s+days|"
    rf"each\s+(?:day|weekday|morning|afternoon|week|"
    rf"lesson|school\s+day|term|half[- ]term)|per\s+(?:day|week|term|half[- ]term|fortnight|"
    rf"session|month|year)|a\s+(?:day|week|fortnight|term|month)|{_NUMBER}\s+times|"
    rf"every\s+(?:hour|other\s+(?:day|week|month|term)|fortnight|month|"
    rf"{_NUMBER}\s+(?:minutes|hours|days|weeks|months|terms|half[- ]terms|lessons))|"
    rf"each\s+(?:hour|fortnight|month)|hourly|"
    # Tied to an event that recurs: "before each new topic", "at the end of every unit".
    rf"(?:before|after|following|at\s+the\s+(?:start|end|beginning)\s+of)\s+(?:each|every|any)\s+\w+|"
    rf"(?:a|per|each|every)\s+night|nightly|"
    # A time of day ("arrive at 8.55am", "at 10:15 and 12:15"), each September, on arrival.
    rf"\bat\s+\d{{1,2}}[.:]\d{{2}}|\d{{1,2}}(?:[.:]\d{{2}})?\s*(?:am|pm)|"
    rf"(?:each|every)\s+(?:{MONTHS})|on\s+arrival|after\s+(?:break|lunch)|"
    # Shorthand in tables and therapists' reports: "3 x week", "2x weekly", "x2 daily".
    rf"\d+\s*x\s*(?:a\s+|per\s+|each\s+)?(?:week|day|fortnight|term|month)|"
    rf"x\s*\d+\s+(?:a\s+|per\s+)?(?:weekly|daily|week|day)|"
    rf"termly|half[- ]termly|monthly|annual(?:ly)?|"
    rf"mon(?:day)?s?\b|(?:tues|wednes|thurs|fri)days?)\b",
    re.I,
)
DURATION = re.compile(
    rf"\b(?:(?<![:\d]){_NUMBER}\s*[- ]?(?:minutes?|mins?|hours?|hrs?|lessons?|periods?)|"
    rf"(?:for|of)\s+(?:at\s+least\s+)?an\s+hour|(?:half|full|whole)[- ]day|"
    rf"(?:for\s+)?{_NUMBER}\s+(?:afternoons?|mornings?|(?:school\s+)?days?)\s+(?:a|per|each)\b|"
    rf"for\s+(?:one|an?)\s+(?:afternoon|morning)|"
    # A span of the clock: "9.30am-2.30pm", "from 1.00pm to 3.15pm".
    rf"\d{{1,2}}(?:[.:]\d{{2}})?\s*(?:am|pm)?\s*(?:-|–|to)\s*\d{{1,2}}(?:[.:]\d{{2}})?\s*(?:am|pm)|an\s+hour\s+(?:each|every|a|per)|"
    rf"full[- ]time|all\s+day|whole\s+(?:school\s+)?day|throughout\s+the\s+(?:school\s+)?day|"
    rf"for\s+the\s+(?:whole|full|entire)|at\s+all\s+times|all\s+(?:lessons|unstructured\s+times|"
    rf"break\s+and\s+lunch)|every\s+lesson|during\s+(?:all|every|each))\b",
    re.I,
)
CONTINUOUS = re.compile(
    r"\b(?:full[- ]time|at\s+all\s+times|(?:will|is|are)\s+always|"
    r"throughout\s+the\s+(?:school\s+)?day|all\s+day|"
    r"whole\s+(?:school\s+)?day|every\s+lesson|all\s+lessons|in\s+all\s+lessons|"
    r"(?:every|each|all)\s+(?:tests?|exams?|assessments?)|"
    r"(?:all|every|each)\s+(?:\w+\s+){0,3}?(?:lessons?|exams?|examinations?|tests?|work|"
    r"lunchtimes?|breaks?|assembl\w+|assessments?|meetings?|transitions?|unstructured\s+times?|subjects?|mornings?|"
    r"tasks?|reading|writing|homework|sessions?|activit(?:y|ies)|(?:personal\s+)?care|meals?|mealtimes?|classes|playtimes?|"
    r"journeys?|trips?|outings?|(?:curriculum\s+)?areas?|settings?|environments?|situations?)|"
    r"during\s+(?:all|every|each)\s+\w+|all\s+unstructured\s+times|throughout\s+\w+\s+(?:school|"
    r"day|lessons)|throughout\s+the\s+(?:school\s+)?(?:week|year)|"
    r"across\s+(?:the\s+|all\s+)?(?:curriculum|school\s+day|school\s+week|subjects)|"
    r"(?:for\s+)?the\s+(?:whole|full|entire)\s+(?:school\s+)?week|between\s+lessons|all\s+year\b(?!\s+groups?)|"
    # Taught in a class or group of a stated size: all of those lessons.
    r"taught\s+(?:[\w,]+\s+){0,4}?in\s+a\s+(?:\w+\s+)?(?:class|classroom|group|set)\b|"
    r"all\s+(?:of\s+)?(?:his|her|their)\s+(?:[\w:]+\s+)?(?:hours|sessions|lessons)|"
    r"in\s+(?:all\s+)?assembl(?:y|ies)|(?:in|during)\s+any\s+lesson|"
    r"in\s+(?:(?:his|her|their)\s+)?(?!(?:some|most|many|other|these|those|certain|selected|"
    r"identified|appropriate|relevant|chosen|agreed|few|several)\b)\w+\s+lessons|"
    # "whenever she is in school" (but "whenever she needs it" is vague).
    r"whenever\s+(?:he|she|they)\s+(?:is|are)\s+(?:in|at|on)\s+(?:school|class|college|site))\b",
    re.I,
)
WHO = re.compile(
    r"\b(?:teach(?:er|ing\s+assistant)s?|TAs?|HLTAs?|LSAs?|learning\s+support\s+assistants?|"
    r"SENCOs?|SENDCos?|therapists?|SALTs?|SaLTs?|OTs?|physiotherapists?|psychologists?|EPs?|"
    r"specialist\s+\w+|key\s+worker|keyworker|mentors?|counsell?ors?|adults?|staff|"
    r"practitioners?|tutors?|advisory\s+teacher|outreach|nurse|assistants?|support\s+workers?|"
    r"interven(?:er|or)s?|class\s+teacher|form\s+tutor|ELSA|coach|interpreters?|escorts?|"
    r"supervisors?|paediatricians?|audiologists?|dietitians?|clinicians?|key\s+person)\b"
)
WHO_LOWER = re.compile(
    r"\b(?:teach(?:er|ing\s+assistant)s?|learning\s+support\s+assistants?|therapists?|"
    r"physiotherapists?|psychologists?|specialist\s+\w+|key\s*worker|mentors?|counsell?ors?|"
    r"adults?|staff|practitioners?|tutors?|nurse|assistants?|support\s+workers?|coach|"
    r"scribe|reader|invigilator|interpreters?|escorts?|supervisors?|paediatricians?|"
    r"audiologists?|dietitians?|clinicians?|key\s+person|"
    r"(?:attendance|pastoral|inclusion|safeguarding|wellbeing|literacy|numeracy|maths|sen|send)"
    r"\s+lead|co-?ordinators?|"
    r"senco|sendco)\b",
    re.I,
)
QUALIFIED = re.compile(
    r"\b(?:qualified|trained|training\s+in|experienced|experience\s+(?:in|of)|HCPC|registered|"
    r"accredited|certified|level\s+\d|specialist|therapist|psychologist|physiotherapist|"
    r"SALT|SaLT|OT|EP|teacher\s+of\s+the\s+deaf|QTVI|QToD|ELSA|degree|postgraduate|"
    r"SENCO|SENDCo|HLTA|advisory\s+teacher|nurse|paediatrician|audiologist|dietitian|"
    r"BSL\s+(?:level\s+\d|interpreter)|AMBDA|NASENCo|National\s+Award)\b"
)
# Roles that are a qualification in themselves.
GROUP = re.compile(
    r"\b(?:1\s*:\s*1|1\s*-\s*1|1\s*to\s*1|one[- ]to[- ]one|one[- ]on[- ]one|individual(?:ly)?|"
    r"on\s+(?:his|her|their)\s+own|small\s+group\s+of\s+(?:no\s+more\s+than\s+|up\s+to\s+|"
    rf"at\s+most\s+)?{_NUMBER}|group\s+of\s+(?:no\s+more\s+than\s+|at\s+most\s+|up\s+to\s+)?"
    rf"{_NUMBER}|"
    rf"{_NUMBER}\s+(?:other\s+)?(?:pupils|children|students|learners|peers|classmates|candidates)|"
    r"\d\s*:\s*\d|pairs?|paired|whole[- ]class|"
    r"class\s+of\s+\d+|1:2|1:3|1:4|"
    rf"(?:max(?:imum)?|up\s+to|no\s+more\s+than)\s+{_NUMBER}\s+(?:other\s+)?"
    r"(?:pupils|children|students|learners|peers|friends)|group:\s*(?:max|up\s+to)\s+\d)\b",
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
# A group with no size ("in a small group", "a social skills group"): the child could
# be one of twenty.
# A year, tutor or form group is the child's class, not a group to be sized.
_NOT_A_CLASS = r"(?<!year\s)(?<!tutor\s)(?<!form\s)(?<!peer\s)(?<!class\s)(?<!friendship\s)"
UNSIZED_GROUP = re.compile(
    r"\bsmall(?:er)?\s+(?:teaching\s+)?(?:class(?:es)?|sets?)\b|"
    rf"(?<!the\s){_NOT_A_CLASS}"
    r"\bgroups?\b(?!\s+(?:of\s+(?:no\s+more\s+than\s+|up\s+to\s+|at\s+most\s+)?\d|tasks?))",
    re.I,
)
# A thing done once or kept in place is specific when it is pinned to something
# checkable: a number, a time, a deadline ("before she starts", "within one term"),
# a month, or every occasion ("each new teacher", "at any time").
# "By" is a deadline only before a time ("by the end of term", "by 1 September"), not
# before whoever does it ("by the OT").
_DEADLINE = (
    r"(?:before|within|until|no\s+later\s+than)\s+(?:the\s+)?\w+|"
    r"(?:in|during)\s+the\s+first\s+\w+|(?:on|from)\s+(?:the\s+|his\s+|her\s+|their\s+)?first\s+day|"
    rf"by\s+(?:the\s+)?(?:end|start|beginning|first|\d|{MONTHS}|half[- ]term|christmas|easter)"
)
DEADLINE = re.compile(rf"\b(?:{_DEADLINE})\b", re.I)
CONCRETE = re.compile(
    # "one-page profile" is not a count.
    rf"\d|(?<!-)\b(?:{_NUMBER}|once|twice|{_DEADLINE}|{MONTHS}|"
    r"each|every|at\s+any\s+(?:time|point)|at\s+all\s+times|whenever|"
    r"all\s+of\s+(?:his|her|their)|any\s+(?:incident|time|occasion)|(?:the\s+)?same\s+day|"
    r"in\s+the\s+(?:autumn|spring|summer)\s+term)\b(?!-)",
    re.I,
)
# Other help that recurs, so needs how often: activities, check-ins, programmes, visits.
RECURRING = re.compile(
    r"\b(?:activit(?:y|ies)|check[- ]ins?|social\s+skills|exercises?|practice|programmes?|"
    r"visits)\b",
    re.I,
)
# Words it takes to describe a one-off thing in enough detail (10, 12, 14 and 16 were
# tried on the blind dev sets: below 16, recall falls faster than precision rises).
DESCRIBED_WORDS = 16
# ...but length is not detail when the words are abstract: "adapt the curriculum to his
# needs", "a package of measures", "included in the life of the school".
ABSTRACT = re.compile(
    r"\b(?:needs|measures|package|strategies|approach(?:es)?|curriculum|adapt\w*|ensure|"
    r"make\s+sure|includ(?:ed|ion)|appropriate|suitable|as\s+necessary|range)\b",
    re.I,
)
# Support by nobody named: "1:1 support for 25 hours a week" (from whom?).
# ("The learning support room", "his behaviour support plan" are places and papers.)
SUPPORT = re.compile(
    r"(?<!to\s)\bsupport(?:ed)?\b(?!\s+(?:(?:his|her|their)\s|internships?|employment|room|base|centre|center|unit|department|team|plan|staff|"
    r"assistants?|workers?|coordinator|co-ordinator|service))",
    re.I,
)
# "Up to" capping a group ("a group of up to 4 pupils") is a group size, not a hedge
# ("up to 15 hours of support" still is).
GROUP_CAP = re.compile(
    rf"\b(?:(?:group|class)\s+of\s+up\s+to\s+{_NUMBER}|up\s+to\s+{_NUMBER}\s+(?:other\s+)?"
    r"(?:pupils|children|students|learners|others|friends|candidates|classmates))\b|"
    r"group:\s*(?:max|up\s+to)\s+\d|"
    # A cap on the child's own break or time out is a limit, not a hedge: "rest breaks of
    # up to 10 minutes per hour", "may leave any lesson for up to 10 minutes".
    rf"\b(?:breaks?|time[- ]out|leave|stay)\b[^.;]{{0,40}}?"
    rf"\bup\s+to\s+{_NUMBER}\s+(?:minutes|mins)\b|"
    # ...and a cap of a few minutes on a call, a rehearsal or a calm-down is a limit too
    # ("up to 45 minutes" of help at lunch is still a hedge).
    r"\bfor\s+up\s+to\s+(?:[1-9]|1[0-5]|five|ten|fifteen)\s+(?:minutes|mins)\b",
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
# "She may leave the lesson", "Erin may wear trainers": the child's permission, a right
# given, not a hedge on what is provided ("Jo may need help" still is).
_NOT_THE_CHILD = (
    r"(?!(?:Staff|School|Schools|Teachers?|Therapy|Therapists?|The|This|It|SENCOs?|SENCos?|"
    r"College|Council|Parents?|Adults?|TAs?|Support|Provision)\b)"
)
_MAY_DO = (
    r"may\s+(?:wear|put|reply|e-?mail|take\s+an?|leave|bring|dictate|stay|go|keep|"
    r"sit|eat|stand|move|listen|arrive|finish|show|hand|ask)\b"
)
PERMISSION = re.compile(
    rf"\b(?:he|she|they|{_NOT_THE_CHILD}[A-Z][a-z]+)\s+{_MAY_DO}|"
    # "Ivy will go to the hub ... and may stay there": the sentence's subject is the child.
    rf"^(?:he|she|they|{_NOT_THE_CHILD}[A-Z][a-z]+)\b[^.;]*\band\s+{_MAY_DO}"
)
# "Trainers permitted", "will be allowed to": also the child's permission.
ALLOWED = re.compile(r"\b(?:permitted|allowed\s+to|can\s+(?:wear|leave|go|use))\b", re.I)
# "May" the month ("from May 2026") is not "may" the hedge.
MAY_MONTH = re.compile(
    r"\b(?:in|from|by|until|since|before|after|of|during|end\s+of)\s+May\b|\bMay\s+\d", re.I
)
# A count of sessions within a stated period is how often ("a block of 6 sessions in
# the autumn term", "8 sessions over 10 weeks", "10 visits per school year").
SESSION_COUNT = re.compile(
    rf"\b{_NUMBER}\s+(?:[\w-]+\s+){{0,2}}?(?:sessions|lessons|visits|appointments|hours)\b",
    re.I,
)
PERIOD = re.compile(
    rf"\b(?:(?:in|during|over|across|within|this)\s+(?:the\s+|a\s+|each\s+|one\s+|this\s+)?"
    r"(?:(?:autumn|spring|summer)\s+)?(?:half[- ])?(?:term|year|school\s+year|academic\s+year)|"
    rf"(?:over|within)\s+{_NUMBER}\s+(?:weeks|months|terms)|"
    r"(?:per|each|every|a)\s+(?:school\s+|academic\s+)?year|"
    rf"in\s+(?:{MONTHS})(?:\s+and\s+(?:{MONTHS}))?)\b",
    re.I,
)
# Sessions, therapy and teaching have a length: "the counsellor will see her weekly"
# says how often but not for how long, so it cannot be checked. (Provision that is
# not a session - a diary sent home each Friday, a timetable updated each morning -
# needs no length.)
SESSION = re.compile(
    r"\b(?:(?<!each\s)(?<!every\s)(?<!per\s)(?<!the\s)(?<!any\s)sessions?|(?<!any\s)therapy(?!\s+(?:reports?|service|team|provision|targets?))|tuition|tutoring|intervention|"
    r"(?:deliver|run)\w*\s+(?:[\w']+\s+){0,4}?programme|"
    rf"{_NOT_A_CLASS}groups?|"
    r"(?<!class\s)(?<!class-)(?<!staff\s)teaching(?!\s+(?:and\s+support\s+)?(?:assistants?|staff))|(?:will|to)\s+(?:be\s+)?(?:taught|teach|tutor|"
    r"work\s+with|read\s+with)|will\s+see|"
    # Meeting her at the gate ("where her TA will meet her") is an event, not a session.
    r"will\s+meet(?!\s+(?:\w+\s+){0,2}at\s+the\b)(?!\s+(?:him|her|them)\s*(?:[,.;]|$|at\b))|"
    r"(?:1:1|one[- ]to[- ]one|individual)\s+(?:reading|work|teaching(?!\s+assistant)|time)|"
    r"(?:have|receive|get)\s+(?:\w+\s+){0,2}?(?:OT|SaLT|SALT|physio(?:therapy)?)\b)\b",
    re.I,
)
# Section F also holds sentences that provide nothing: the child's needs ("Amir has a
# diagnosis of autism", "she finds it hard to..."), outcomes ("By the end of Key Stage
# 2, Sam will be able to read..."), and views ("his parents would like..."). They are
# not vague provision, unless they also say what will be provided.
OUTCOME = re.compile(
    r"^(?:outcomes?|aspirations?|targets?|long[- ]term\s+outcomes?)\s*[:\-–]|"
    r"^by\s+(?:the\s+end\s+of|(?:the\s+)?(?:summer|autumn|spring|july|december|april)|"
    r"year\s+\d|key\s+stage|\d{4})|"
    r"\bwill\s+be\s+able\s+to\s+(?!access|use|have|leave|go|attend|take|see|work)|"
    r"\bwill\s+be\s+(?:safe|happy|confident|independent)\b",
    re.I,
)
NEED_OR_VIEW = re.compile(
    r"^(?:views?|needs?|strengths?)\s*:|"
    r"\bis\s+at\s+the\s+level\s+of\b|\bcan\s+make\s+it\s+(?:hard|difficult)|\b(?:is|are)\s+worried\s+(?:that|about)|"
    r"\buses\s+(?:around|about|approximately)\s+\d|"
    r"\b(?:has|have)\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}?(?:diagnosis|diagnosed|difficult(?:y|ies)|"
    r"impairment|disorder|condition|syndrome|delay|disability|history\s+of)\b|"
    r"\bdiagnosed\s+with|\bfinds?\s+it\s+(?:hard|difficult|easier)|\bstruggles?\s+(?:to|with)|"
    r"\b(?:is|are)\s+(?:currently\s+)?working\s+at|\bcurrently\s+(?:reads|works|has|is)|"
    r"\b(?:would|'d)\s+like\s+(?:him|her|them|\w+)\s+to|\b(?:enjoys|likes|loves)\b|"
    r"\breports?\s+that|\breported\s+that|\bsays?\s+that|\bfeels?\s+that",
    re.I,
)
# ...such as "and needs a trained adult with her at lunchtime" after the need, or
# "she would benefit from..." (a hedge, which is vague provision).
PROVIDES = re.compile(
    r"\bto\s+(?:receive|have|be\s+given)\b|\brequires?\b|\bprovided?\b|\bprovision\b|"
    r"\bdeliver\w*|\breceives?\b|\bsessions?\b|\btherapy\b|\bprogramme\b|\bintervention\b|"
    r"\baccess\s+to\b|\bbenefit\w*|\bshould\b|\brecommended\b|"
    # "with support from an adult, she will be able to..." is still an outcome.
    r"(?<!with\s)\bsupport(?:ed)?\s+(?:by|from)\b|"
    r"\bneeds?\s+(?:a|an|to|support|help|access|adult|extra|additional|more|regular|daily|"
    r"weekly|\d)\b",
    re.I,
)
# Outside an outcome, "will" (other than "will be able to") also says what is provided.
WILL = re.compile(r"\b(?:will|shall|must|is\s+to|are\s+to)\s+(?!be\s+able\b)", re.I)


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
        if not is_provision(sentence):  # a need, an outcome or a view
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


# Headings and lines that frame the provision without providing any: "Section F:
# Communication and interaction", "Area of need | Provision | Frequency", "(see below)".
HEADING = re.compile(
    r"^(?:section\s+[a-k]\b|area\s+of\s+need\b|(?:communication\s+and\s+interaction|"
    r"cognition\s+and\s+learning|social,?\s+emotional\s+and\s+mental\s+health|"
    r"sensory\s+and(?:/or)?\s+physical|preparing\s+for\s+adulthood)\b)",
    re.I,
)
# ...or a line that only leads into what follows ("...the following provision:").
LEADS_IN = re.compile(
    r"(?:see\s+(?:the\s+)?table\s+below\)?|the\s+provision\s+below|following\s+provision)"
    r"\W*$|:\s*$",
    re.I,
)
# After a heading, words that provide something: then it is checked as provision.
_PROVIDING = re.compile(
    r"\b(?:will|shall|must|should|may|could|would|to\s+receive|receives?|needs?)\b", re.I
)


def is_provision(sentence: str) -> bool:
    """False for a heading, a need, an outcome or a view that provides nothing."""
    line = sentence.strip()
    heading = HEADING.match(line)
    if heading and not _PROVIDING.search(line, heading.end()):
        return False  # "Section F: Communication and interaction"
    if LEADS_IN.search(line):
        return False
    if OUTCOME.search(sentence):
        # "By the end of Year 4, Sam will read...": the "will" is the outcome's.
        return bool(PROVIDES.search(sentence))
    if NEED_OR_VIEW.search(sentence):
        return bool(PROVIDES.search(sentence) or WILL.search(sentence))
    return True


# "3.12 Sam will receive...": a plan's paragraph number, not a time or an amount.
PARAGRAPH_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)+\s+")


def check_sentence(sentence: str) -> Finding:
    quoted = sentence
    sentence = PARAGRAPH_NUMBER.sub("", sentence)
    if not is_provision(sentence):
        return Finding(quoted, False, ())
    permission = bool(PERMISSION.search(sentence) or ALLOWED.search(sentence))
    non_binding = _found(NON_BINDING, PERMISSION.sub(" ", MAY_MONTH.sub(" ", sentence)))
    purpose = PURPOSE.search(sentence)
    if purpose is not None and non_binding:
        before = sentence[: purpose.start()]
        hedges_before = _found(NON_BINDING, PERMISSION.sub(" ", MAY_MONTH.sub(" ", before)))
        non_binding = [w for w in non_binding if w not in PURPOSE_MODALS or w in hedges_before]
    vague_words = _found(VAGUE, GROUP_CAP.sub(" group ", sentence))
    continuous = bool(CONTINUOUS.search(sentence))
    gaps: list[str] = []
    has_who = bool(WHO.search(sentence) or WHO_LOWER.search(sentence))
    if not has_who:
        gaps.append("who")
    elif not QUALIFIED.search(sentence):
        gaps.append("qualification")
    has_frequency = (
        continuous
        or bool(FREQUENCY.search(sentence))
        or bool(
            SESSION_COUNT.search(sentence)
            and (PERIOD.search(sentence) or DEADLINE.search(sentence))
        )
    )
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
    if has_frequency and not (continuous and not FREQUENCY.search(sentence)):
        pinned.update(VAGUE_FREQUENCY)  # "regular" needs a real how often
    if has_who and has_frequency:
        pinned.update(MONITORING)
    if has_who and has_frequency and has_duration:
        # "full-time 1:1 support from a trained TA": the soft words are pinned down.
        pinned.update(SOFT_VAGUE)
    vague_words = [w for w in vague_words if w not in pinned]
    if not vague_words and "vague_words" in gaps:
        gaps.remove("vague_words")
    group_unsized = bool(UNSIZED_GROUP.search(sentence)) and not GROUP.search(sentence)
    # Help that recurs (sessions, therapy, support) must say how often and how long;
    # a thing done once or kept in place (a hoist fitted, staff trained, a pass to leave
    # early) is specific without either.
    session = bool(SESSION.search(sentence))
    supported = bool(SUPPORT.search(sentence))
    # Writing a programme is done once; following one recurs.
    written = bool(
        re.search(r"\b(?:writ(?:e|es|ten)|set\s+(?:a|up\s+a)|draw\s+up)\b", sentence, re.I)
    ) and not re.search(
        r"\b(?:deliver|implement|carr(?:y|ied)\s+out|receive|follow)", sentence, re.I
    )
    recurring = session or supported or (bool(RECURRING.search(sentence)) and not written)
    # A thing done once or kept in place, described at length with no vague word or hedge
    # ("a specialist chair with lateral supports and a tilt-in-space function, provided
    # and maintained by the school"), is detailed: the blind dev sets all label it so.
    described = len(sentence.split()) >= DESCRIBED_WORDS and not ABSTRACT.search(sentence)
    unquantified = (
        (
            not has_frequency
            and not session
            and (recurring or not (CONCRETE.search(sentence) or permission or described))
        )
        or (not has_who and supported)
        or group_unsized
        or ((session or supported) and not has_duration and not has_who)
        or (session and not has_duration and not continuous)
        or (session and not has_frequency and not (has_duration and DEADLINE.search(sentence)))
    )
    vague = bool(non_binding or vague_words or unquantified)
    return Finding(quoted, vague, tuple(gaps), tuple(non_binding + vague_words))


def check_text(text: str) -> CheckResult:
    return CheckResult([check_sentence(s) for s in provision_sentences(text)])
