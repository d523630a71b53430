"""The crisis phrase rules, category by category, and the crisis message check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.flows.loader import load_flow_dir
from bot.safety.message import FALLBACK_TEXT, missing_numbers
from bot.safety.rules import built_in_rules

MUST_MATCH = {
    "suicidal_thoughts": [
        "my son said he wants to kill himself",
        "She keeps talking about suicide",
        "he says he'd be better off dead",
        "she doesn't want to be alive anymore",
        "he's threatening to jump off the bridge",
        "I found a suicide note in her room",
        "I don't want to be here anymore",
        "I keep wishing I could just disappear for good",
        "everyone would be better off without me",
        "theres no point carrying on",
        "some nights I want to go to sleep and not wake up",
        "If the tribunal goes against us I'm done. I've already decided how.",
        "ive already decided how and i'm not scared",
        "I've started working out which bit of the M6 would look most like an accident",
    ],
    "self_harm": [
        "my daughter has been self-harming",
        "he's been cutting himself",
        "I found cuts on my son's arms",
        "she scratches herself until it bleeds",
        "he hurts himself when he's upset",
        "he bangs his head on the wall so hard he's covered in bruises",
        "she's started holding her hair straighteners against her wrist",
        "she burns her wrist with her straightners",
    ],
    "overdose": [
        "she took an overdose",
        "he's swallowed a load of paracetamol",
        "my son took too many of his tablets",
        "my toddler drank some bleach",
        "he overdosed on sweets that turned out to be his sisters melatonin gummies",
        "our kid's necked the Calpol, the big bottle",
        "a carer at respite gave him another child's meds by mistake and he's really drowsy",
        "we've both given her Calpol today without telling each other, she's had four doses in about five hours",
        "I've given her her melatonin twice by mistake",
    ],
    "not_eating_drinking": [
        "not eaten since the transition meeting on monday, its thursday now",
        "he hasn't eaten or drunk anything for 3 days",
        "she's refusing all fluids",
        "my son hasnt had a drink since yesterday morning",
    ],
    "abuse_violence": [
        "I think my child is being abused",
        "she was sexually assaulted",
        "someone touched my daughter inappropriately",
        "my husband hits the children",
        "he was hit by his dad",
        "my ex is threatening to kill us",
        "she's in danger right now",
        "the kids aren't safe at home",
        "my partner hits me",
        "he's texting that he's coming to finish me and my lad when he gets out",
        "she told me the man at contact touches her front bottom and it's a secret",
    ],
    "parent_may_harm": [
        "I'm scared I'll hurt my son",
        "I feel like I could hurt him",
        "I'm frightened of what I might do",
        "I can't keep my child safe tonight",
        "I'm thinking of crashing the car",
        "I'm going to walk out and leave the kids",
    ],
    "missing_child": [
        "my son has gone missing",
        "I can't find my daughter anywhere",
        "he ran away this morning",
        "she hasn't come home and it's midnight",
        "his dad took him abroad without my permission",
        "the taxi arrived home empty and no one can tell me where he is",
        "dd didnt get off the school bus, its 5 now and her phone is off",
        "the bus has come home without him",
        "wee lassie's slipped oot the hoose again, polis said wait but its dark",
        "our kid went out on his scooter at 2 and its now 9 and his phones off",
        "Holiday club have just rung to ask if I'd picked her up already. I haven't.",
        "his tracker says he's near the railway line but it's not moved for an hour",
        "should have had her home by 6pm its 8pm now and the taxi company wont answer",
        "no ones seen him since lunch",
    ],
    "restraint_seclusion": [
        "The nursery put my 3 year old in a travel cot in a separate room with the door shut",
        "he has been in seclusion in hospitals for months",
        "he came out the school with a big red mark across his throat, they said he was in a hold",
        "they took his phone locked him in a room and wouldnt let him call me",
        "they restrained him and now he has bruises",
        "there are marks on her arms from being restrained",
        "they shut him in a room on his own at school and he couldn't get out",
    ],
    "grooming_exploitation": [
        "the online friend from his game has posted him a present and wants our address",
        "he's being groomed online",
        "a man on snapchat asked her to send pictures",
        "I think he's been pulled into county lines",
    ],
    "medical_emergency": [
        "she's having a seizure and it won't stop",
        "he's not breathing",
        "her lips are going blue",
        "His trache has come out and I can't get the new one in",
        "he's pulled his trache out and his sats are dropping",
        "his trache is out and hes struggling",
        "Type 1, sugars are 1.9, she's not making sense",
        "the button on his tummy came out, its the gastrostomy, its bleeding",
        "his button's fallen out and i haven't got a spare",
        "type 1, his sugar's 1.9 and he's really drowsy",
    ],
}


def kinds_of(text: str) -> list[str]:
    return [m.kind for m in built_in_rules().match(text) if m.level == "crisis" and m.kind]


# Everyday phrases in this service that must not raise an alarm by themselves.
MUST_NOT_MATCH = [
    "the school is killing me with all these meetings",
    "I'm dying to know when the plan will come",
    "the draft plan is missing lots of his needs",
    "section F is missing the speech therapy",
    "he takes his tablets every morning",
    "what is the school's policy on restraint?",
    "he's being sent home at lunchtime",
    "the council cut his hours",
    "she was knackered after school",
    "they kicked him off the football team",
    "he hits other children when he's overwhelmed and the school want to exclude him",
    "What's the law on seclusion in schools in England?",
    "the school keep it locked in the office and give it at lunch",
    "she had an overdose of screen time this weekend",
    "his favourite book is about a boy who runs away to sea",
    "we've decided how to word the appeal",
    "i'm putting a hot water bottle on her tummy for her period pains",
    "the bus turned up without her wheelchair",
    "the school will tell us where she is going in september",
    "we put a lock on the fridge and he's already worked out how.",
    "the sats are falling in may and she's so anxious",
    "has anyone seen a child psychologist privately",
    "his blood sugars are 6.2 and stable",
    "we're coming to finish the decorating on saturday",
    "the game company wants our address for the competition prize",
    "he hasn't eaten school dinners since the menu changed",
    "the consultant said to give him a double dose of movicol this week",
    "she had a hypo at school, sugars were 2.5, they gave her lucozade and she was fine",
    "its 2 weeks since the EHCP deadline and the caseworker is not answering",
    "this EHCP process is going to finish me off",
    "school say he wets on purpose but it looks like an accident to me",
    "he keeps touching his privates in class, how do I get school to handle it",
    "my dad slipped away peacefully last week, it's been a dark time",
    "his progress on the school tracker hasn't moved all year",
    "has anyone seen a child neurologist at GOSH",
    "we're hoping the PEG will come out next year",
    "the school want to train staff in positive handling, what should the plan say",
    "they put him in a separate room with the door closed for his exams",
    "school put her in a separate room with the door shut so she can concentrate",
]


@pytest.mark.parametrize(
    ("category", "text"), [(c, t) for c, texts in MUST_MATCH.items() for t in texts]
)
def test_each_kind_of_risk_is_caught_by_the_rules(category: str, text: str) -> None:
    assert category in kinds_of(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_common_figures_of_speech_do_not_match(text: str) -> None:
    assert kinds_of(text) == []


def test_curly_apostrophes_do_not_hide_a_crisis() -> None:
    assert kinds_of("she doesn’t want to be alive") == ["suicidal_thoughts"]


def test_every_kind_in_content_has_rules() -> None:
    from bot.safety.rules import CRISIS_KINDS

    ruled = {rule.kind for rule in built_in_rules().rules}
    assert set(CRISIS_KINDS) <= ruled


def test_the_built_in_fallback_has_every_number() -> None:
    assert missing_numbers(FALLBACK_TEXT) == []


def test_a_crisis_message_that_loses_a_number_is_refused(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    text = (flows / "crisis.yml").read_text().replace("**116 123**", "the Samaritans")
    (flows / "crisis.yml").write_text(text)
    problems = [str(p) for p in load_flow_dir(flows).problems]
    assert any("flows/crisis.yml" in p and "missing 116 123 (Samaritans)" in p for p in problems), (
        problems
    )
