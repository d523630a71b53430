"""Drop-in sessions: what champions host, what parents book, and reminders."""
