"""Parent Champions and admins: accounts, sign-in sessions, throttling, audit log."""
