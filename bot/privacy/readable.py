"""What is held about one parent, as a page a person can read and print ("My data").

The same facts as the JSON copy (bot/privacy/export.py), grouped under plain
headings. The page is one self-contained HTML file (styles inline, no scripts, no
links out) so it opens offline from a phone's downloads and prints cleanly.
Everything from the database is escaped: a parent's own words may contain HTML.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection

from bot.core.dates import UK
from bot.core.text import show_value
from bot.privacy.export import export_parent

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Answers the flows keep, grouped for the page by what they are about. A variable
# that is not named here still appears, under "Your answers".
_PLAN_PREFIX = "plan_"
_HIDDEN = {"plan_text"}  # emptied after the check; never shown even if left over


def _when(value: Any) -> str:
    """An ISO time or date from the export, in UK time and words: '6 December 2026, 14:05'."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) == 10:  # a date alone
        return f"{moment:%A} {moment.day} {moment:%B %Y}"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # stored times are UTC
    local = moment.astimezone(UK)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


def _label(name: str) -> str:
    """`local_authority` -> 'Local authority'."""
    return name.replace("_", " ").strip().capitalize()


def _answers(variables: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(your answers, your draft plan check): each a list of (label, value in words)."""
    answers: list[tuple[str, str]] = []
    plan: list[tuple[str, str]] = []
    for name, value in sorted(variables.items()):
        if name in _HIDDEN or value in (None, "", [], {}):
            continue
        shown = show_value(value) if not isinstance(value, dict) else str(value)
        (plan if name.startswith(_PLAN_PREFIX) else answers).append((_label(name), shown))
    return answers, plan


def render_export(data: dict[str, Any]) -> str:
    """The page for one export (the dict `export_parent` returns)."""
    variables: dict[str, Any] = {}
    for conversation in data.get("conversation", []):
        variables.update(conversation.get("variables") or {})
    answers, plan = _answers(variables)
    template = _ENVIRONMENT.get_template("my_data.html")
    return template.render(
        data=data,
        answers=answers,
        plan=plan,
        when=_when,
        label=_label,
        words=show_value,
    )


def export_html(connection: Connection, parent_id: int) -> bytes:
    return render_export(export_parent(connection, parent_id)).encode()
