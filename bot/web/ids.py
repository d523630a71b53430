"""Row ids taken from a URL's path, checked before any query.

A database id is a 64-bit integer: a bigger number in a path ("/console/tickets/
99999999999999999999") can't even be bound (SQLite raises OverflowError, PostgreSQL
refuses it). Checked here, it is a clear 422 instead of a 500."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

RowId = Annotated[int, Path(ge=1, le=2**62)]
