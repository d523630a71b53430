"""Families in control of their data: the privacy notice, "my data", deletion, retention."""
