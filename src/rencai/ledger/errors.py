"""The ledger's refusals: a Chinese message for people, a code for programs."""

from __future__ import annotations

from rencai.errors import Refusal


class LedgerError(Refusal):
    """A refused payment step; ``field`` is "ledger" where no one input is at fault."""
