"""Hand-off to a Parent Champion: tickets, opening hours, relay, live events."""
