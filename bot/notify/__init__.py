"""Telling a parent who has left the web chat that a Parent Champion replied (issue #17)."""
