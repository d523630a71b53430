"""Crisis screening: runs first on every inbound message, in every state."""
