"""Conversation flows as data: schema, loader and validation."""
