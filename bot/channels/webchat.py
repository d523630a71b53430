"""The web chat channel's name. Who holds a web chat session is decided by the
session's server-issued secret (bot/web/chat_access.py), not by its id."""

from __future__ import annotations

CHANNEL = "web"
