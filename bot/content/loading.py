"""Turning a set of content files (a release, or a release plus drafts) into Content.

The files are laid out in a temporary folder and read by the same loaders as
`python -m bot check`, so a release is judged exactly as files on disk are.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bot.check import ContentCheck, check_content
from bot.content.releases import write_files


def check_files(files: dict[str, str], actions: Any = None) -> ContentCheck:
    """`python -m bot check` on these files (actions: the running service's registry)."""
    with tempfile.TemporaryDirectory(prefix="champion-content-") as tmp:
        flows_dir, knowledge_dir = write_files(files, Path(tmp))
        return check_content(flows_dir, knowledge_dir, actions)


def load_files(files: dict[str, str], settings: Any, actions: Any, previous: Any = None) -> Any:
    """LoadedContent for these files (see bot/services.py)."""
    from bot.services import load_content

    with tempfile.TemporaryDirectory(prefix="champion-content-") as tmp:
        flows_dir, knowledge_dir = write_files(files, Path(tmp))
        scoped = settings.model_copy(
            update={"flows_dir": flows_dir, "knowledge_dir": knowledge_dir}
        )
        return load_content(scoped, actions, previous)
