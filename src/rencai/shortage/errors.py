"""The shortage catalogue's refusal."""

from __future__ import annotations

from rencai.errors import Refusal


class ShortageError(Refusal):
    """A refused catalogue step; nothing was changed."""
