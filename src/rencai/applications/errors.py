"""The refusal every case step raises (Chinese message), shared by the modules of `applications`
so that a refusal found deep in an approval reaches the API, the pages and bulk approval alike."""

from __future__ import annotations

from rencai.errors import Refusal


class ApplicationError(Refusal):
    """A refused step (Chinese message), e.g. wrong state, not allowed, stale version."""


def stale_case() -> ApplicationError:
    """Someone else changed the case first (optimistic locking)."""
    return ApplicationError("version", "该申请已被他人处理，请刷新后查看", "stale_version")


def no_case() -> ApplicationError:
    return ApplicationError("application", "没有找到该申请", "not_found")


# refusals that mean "this conflicts with what already exists" (HTTP 409 where shown)
CONFLICTS = frozenset(
    {"stale_version", "duplicate_application", "already_granted", "once_only_pending"}
)
