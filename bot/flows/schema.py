"""The shape of a flow file, checked with pydantic when it is loaded.

A node has exactly one kind, named by its key: say, ask, article, action, goto,
flow or when. Identifiers are short and lower-case so that button payloads
(`flow:node:index`) stay well inside Telegram's 64-byte callback limit.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.flows.conditions import Condition, parse_condition
from bot.nlu.intents import INTENTS

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=24)
]
NODE_KINDS = ("say", "ask", "article", "action", "goto", "flow", "when")
# "option": pick one of the options the flow's last action offered (drop-in sessions...).
ExpectKind = Literal[
    "date", "number", "yes_no", "choice", "text", "age", "local_authority", "option"
]
GlobalWord = Literal[
    "menu", "back", "help", "human", "stop", "bot", "agree", "mydata", "delete", "support"
]
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDER_BODY = re.compile(r"^[a-z][a-z0-9_]*(\|[^{}|]*)?$")


def check_placeholders(text: str) -> str:
    """Refuse broken `{variable}` or `{variable|fallback}` placeholders at load time."""
    for body in _PLACEHOLDER.findall(text):
        if not _PLACEHOLDER_BODY.match(body):
            raise ValueError(
                f"placeholder {{{body}}} should look like {{name}} or {{name|fallback}}"
            )
    if text.count("{") != text.count("}"):
        raise ValueError("unbalanced { } in text")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ButtonSpec(_Strict):
    label: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
    goto: Identifier | None = None
    flow: Identifier | None = None
    node: Identifier | None = None
    word: GlobalWord | None = None  # acts as if the parent typed this word
    # Shown only when this holds ("email_offer == yes"); the same conditions as `when`.
    if_: str | None = Field(default=None, alias="if")

    @field_validator("if_")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None:
            parse_condition(value)
        return value

    def shown(self, variables: dict[str, Any]) -> bool:
        return self.if_ is None or parse_condition(self.if_).holds(variables)

    @model_validator(mode="after")
    def _one_target(self) -> ButtonSpec:
        targets = [t for t in (self.goto, self.flow, self.word) if t is not None]
        if len(targets) != 1:
            raise ValueError(
                "a button needs exactly one of 'goto' (a node), 'flow' or 'word' (menu, back...)"
            )
        if self.node is not None and self.flow is None:
            raise ValueError("'node' on a button only makes sense with 'flow'")
        return self


def _check_intents(value: list[str]) -> list[str]:
    unknown = [name for name in value if name not in INTENTS]
    if unknown:
        raise ValueError(f"unknown intent(s) {', '.join(unknown)}: see CONTENT.md for the names")
    return value


class ChoiceSpec(_Strict):
    label: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
    value: str | None = None
    # Typed words understood as one of these intents pick this choice.
    intents: list[str] = Field(default_factory=list)

    _known_intents = field_validator("intents")(_check_intents)

    @property
    def saved_value(self) -> str:
        return self.value if self.value is not None else self.label


class BranchSpec(_Strict):
    if_: str = Field(alias="if")
    goto: Identifier

    @field_validator("if_")
    @classmethod
    def _readable(cls, value: str) -> str:
        parse_condition(value)
        return value

    @property
    def condition(self) -> Condition:
        return parse_condition(self.if_)


class NodeSpec(_Strict):
    say: str | None = None
    ask: str | None = None
    article: Identifier | Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")] | None = None
    action: Identifier | None = None
    goto: Identifier | None = None
    flow: Identifier | None = None
    when: list[BranchSpec] | None = None

    # Options that go with some kinds.
    node: Identifier | None = None  # with `flow`: enter at this node instead of start
    buttons: list[ButtonSpec] = Field(default_factory=list, max_length=10)
    next: Identifier | None = None
    expect: ExpectKind | None = None
    choices: list[ChoiceSpec] = Field(default_factory=list, max_length=10)
    save: Identifier | None = None
    retry: str | None = None
    min: float | None = None
    max: float | None = None
    skippable: bool = False
    multiple: bool = False  # choice only: pick several, then "Done"
    # date only: the day has happened (a letter's date), so a day still to come is
    # refused with system text retry_date_future ("next tuesday" for a past event).
    past: bool = False
    # A question the parent may ignore ("How did it go?"): typed words that are not an
    # answer are read as any other message (answered, or taken to their flow) and the
    # question lapses, instead of being asked again. Buttons still answer it.
    lapses: bool = False
    # What a button of this question says when pressed after it was answered or had
    # lapsed (pressed twice, or late), instead of the general stale-button words.
    late: str | None = None
    # text only: an answer that asks something ("Anything to add?" "How do I appeal?")
    # is kept as the answer and the question in it is answered too.
    answers_questions: bool = False
    else_: Identifier | None = Field(default=None, alias="else")
    # Free text understood as one of these intents comes to this node; `label`
    # names it on a "Did you mean..." button.
    intents: list[str] = Field(default_factory=list)
    label: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    # Typed words that ask for this node by name ("write a letter", "my data"): they
    # go straight here, before any question is answered.
    requests: list[Annotated[str, StringConstraints(min_length=3, max_length=80)]] = Field(
        default_factory=list
    )

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in INTENTS]
        if unknown:
            raise ValueError(
                f"unknown intent(s) {', '.join(unknown)}: see CONTENT.md for the names"
            )
        return value

    @field_validator("say", "ask", "retry", "late")
    @classmethod
    def _placeholders(cls, value: str | None) -> str | None:
        return None if value is None else check_placeholders(value)

    @property
    def kind(self) -> str:
        for kind in NODE_KINDS:
            if getattr(self, kind) is not None:
                return kind
        raise ValueError("node has no kind")  # unreachable once validated

    @model_validator(mode="after")
    def _consistent(self) -> NodeSpec:
        kinds = [k for k in NODE_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            named = ", ".join(kinds) if kinds else "none"
            raise ValueError(
                f"a node needs exactly one of {', '.join(NODE_KINDS)} (found: {named})"
            )
        kind = kinds[0]
        allowed: dict[str, set[str]] = {
            "say": {"buttons", "next"},
            "ask": {
                "expect",
                "choices",
                "save",
                "retry",
                "min",
                "max",
                "skippable",
                "next",
                "multiple",
                "past",
                "lapses",
                "late",
                "answers_questions",
            },
            "article": {"buttons", "next"},
            "action": {"next"},
            "goto": set(),
            "flow": {"node"},
            "when": {"else_"},
        }
        # Every option some kind allows; each kind refuses the ones it doesn't.
        options = set().union(*allowed.values())
        for option in options - allowed[kind]:
            if option in self.model_fields_set:
                shown = option.rstrip("_")
                raise ValueError(f"'{shown}' cannot be used on a '{kind}' node")
        if self.buttons and self.next:
            raise ValueError("a node waits for a button or moves on with 'next', not both")
        if kind == "ask":
            if self.expect is None:
                raise ValueError(
                    "an 'ask' node needs 'expect': date, number, yes_no, choice or text"
                )
            if self.save is None:
                raise ValueError("an 'ask' node needs 'save': the variable to keep the answer in")
            if self.expect == "choice" and not self.choices:
                raise ValueError("expect: choice needs a list of 'choices'")
            if self.expect != "choice" and self.choices:
                raise ValueError("'choices' only go with expect: choice")
            if self.multiple and self.expect != "choice":
                raise ValueError("'multiple' only goes with expect: choice")
            if self.past and self.expect != "date":
                raise ValueError("'past' only goes with expect: date")
            if self.lapses and self.expect == "text":
                raise ValueError("'lapses' cannot go with expect: text (any words answer it)")
            if self.answers_questions and self.expect != "text":
                raise ValueError("'answers_questions' only goes with expect: text")
            if self.expect == "choice" and self.skippable and len(self.choices) >= 10:
                raise ValueError("a skippable choice can have at most 9 choices")
        if kind == "when" and self.else_ is None:
            raise ValueError("a 'when' node needs an 'else' node for when nothing matches")
        return self


class FlowSpec(_Strict):
    id: Identifier
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    start: Identifier
    description: str | None = None
    nodes: dict[Identifier, NodeSpec]
    # Settings for this flow's actions (e.g. triage's referral rules), checked by
    # the module that owns the action.
    data: dict[str, Any] = Field(default_factory=dict)
    # A flow that keeps personal answers (triage, hand-off, bookings...) is only
    # entered once the parent has agreed to the privacy notice.
    personal: bool = False

    @model_validator(mode="after")
    def _targets_exist(self) -> FlowSpec:
        if self.start not in self.nodes:
            raise ValueError(f"start node '{self.start}' is not one of the nodes")
        return self


def data_problems(exc: ValidationError, prefix: str) -> list[str]:
    """A flow's `data:` block that its owning module refused, one line per problem:
    "data.referral.categories.0.category: unknown category 'x'"."""
    return [
        f"{prefix}.{'.'.join(str(p) for p in error['loc'])}: "
        f"{str(error['msg']).removeprefix('Value error, ')}"
        for error in exc.errors()
    ]


def dump_schema() -> dict[str, Any]:
    return FlowSpec.model_json_schema(by_alias=True)
