"""The refusal every case step raises (Chinese message), shared by the modules of `applications`
so that a refusal found deep in an approval reaches the API, the pages and bulk approval alike."""

from __future__ import annotations

from rencai.errors import Refusal


class ApplicationError(Refusal):
    """A refused step (Chinese message), e.g. wrong state, not allowed, stale version."""


# refusals that mean "this conflicts with what already exists" (HTTP 409 where shown)
CONFLICTS = frozenset(
    {"stale_version", "duplicate_application", "already_granted", "once_only_pending"}
)
