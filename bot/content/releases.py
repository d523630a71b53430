"""Content releases and drafts (store functions), and moving files in and out.

Paths are relative to the project: "flows/ehcp.yml", "knowledge/ehcp-request.md",
"knowledge/letters/ask-for-assessment.md", "knowledge/local_authorities.yml".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, delete, func, insert, select

from bot.store.models import ContentDraft, ContentRelease, utcnow

releases = ContentRelease.__table__
drafts = ContentDraft.__table__
SUFFIXES = (".yml", ".yaml", ".md")
MAX_FILE_CHARS = 200_000


def files_from_dirs(flows_dir: Path, knowledge_dir: Path) -> dict[str, str]:
    """Every content file under the two folders, by its project path."""
    found: dict[str, str] = {}
    for prefix, root in (("flows", flows_dir), ("knowledge", knowledge_dir)):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                found[f"{prefix}/{path.relative_to(root).as_posix()}"] = path.read_text(
                    encoding="utf-8"
                )
    return found


def write_files(files: dict[str, str], root: Path) -> tuple[Path, Path]:
    """Lay files out under `root`; returns (flows dir, knowledge dir)."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "flows").mkdir(exist_ok=True)
    (root / "knowledge").mkdir(exist_ok=True)
    return root / "flows", root / "knowledge"


def valid_path(path: str) -> bool:
    parts = path.split("/")
    return (
        len(path) <= 200
        and parts[0] in ("flows", "knowledge")
        and all(p and p not in (".", "..") and not p.startswith(".") for p in parts)
        and path.endswith(SUFFIXES)
    )


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    files: dict[str, str]
    author_email: str
    note: str
    created_at: dt.datetime


def latest_release(connection: Connection) -> Release | None:
    row = connection.execute(select(releases).order_by(releases.c.id.desc()).limit(1)).first()
    return (
        Release(row.id, dict(row.files), row.author_email, row.note, row.created_at)
        if row
        else None
    )


def latest_release_id(connection: Connection) -> int:
    return connection.execute(select(func.max(releases.c.id))).scalar() or 0


def get_release(connection: Connection, release_id: int) -> Release | None:
    row = connection.execute(select(releases).where(releases.c.id == release_id)).first()
    return (
        Release(row.id, dict(row.files), row.author_email, row.note, row.created_at)
        if row
        else None
    )


def previous_release(connection: Connection, release_id: int) -> Release | None:
    row = connection.execute(
        select(releases).where(releases.c.id < release_id).order_by(releases.c.id.desc()).limit(1)
    ).first()
    return (
        Release(row.id, dict(row.files), row.author_email, row.note, row.created_at)
        if row
        else None
    )


def add_release(connection: Connection, files: dict[str, str], author_email: str, note: str) -> int:
    return connection.execute(
        insert(releases)
        .values(files=files, author_email=author_email, note=note[:300], created_at=utcnow())
        .returning(releases.c.id)
    ).scalar_one()


@dataclass(frozen=True, slots=True)
class ReleaseLine:
    id: int
    author_email: str
    note: str
    created_at: dt.datetime


def release_history(connection: Connection, limit: int = 100) -> list[ReleaseLine]:
    rows = connection.execute(
        select(releases.c.id, releases.c.author_email, releases.c.note, releases.c.created_at)
        .order_by(releases.c.id.desc())
        .limit(limit)
    )
    return [ReleaseLine(r.id, r.author_email, r.note, r.created_at) for r in rows]


def current_drafts(connection: Connection) -> dict[str, str | None]:
    return {r.path: r.body for r in connection.execute(select(drafts.c.path, drafts.c.body))}


def save_draft(connection: Connection, path: str, body: str | None, author_email: str) -> None:
    connection.execute(delete(drafts).where(drafts.c.path == path))
    connection.execute(
        insert(drafts).values(path=path, body=body, author_email=author_email, updated_at=utcnow())
    )


def discard_draft(connection: Connection, path: str) -> None:
    connection.execute(delete(drafts).where(drafts.c.path == path))


def clear_drafts(connection: Connection) -> None:
    connection.execute(delete(drafts))


def with_drafts(files: dict[str, str], pending: dict[str, str | None]) -> dict[str, str]:
    merged = dict(files)
    for path, body in pending.items():
        if body is None:
            merged.pop(path, None)
        else:
            merged[path] = body
    return merged


def forget_previews(connection: Connection, channel: str) -> None:
    """Test chats of the drafts just published (or replaced) are no longer needed."""
    from bot.store.models import Parent

    parents = Parent.__table__
    connection.execute(delete(parents).where(parents.c.channel == channel))
