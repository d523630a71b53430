"""Triage: local authorities, referral categories and the rules that choose them."""
