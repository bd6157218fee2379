"""Talents, employers, accounts and roles (the registry). Identifiers live in identifiers.py."""
