"""The ledger's refusals: a Chinese message for people, a code for programs."""

from __future__ import annotations


class LedgerError(Exception):
    def __init__(self, message: str, code: str, field: str = "ledger"):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field
