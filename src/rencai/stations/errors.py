"""The stations' refusal."""

from __future__ import annotations

from rencai.errors import Refusal


class StationError(Refusal):
    """A refused station step; nothing was changed."""
