"""What happens after a case is finally approved, without `applications` knowing who reacts.

Capabilities further out (the card issuer, the payment schedules) react to an approval. They
depend on `applications`, not the reverse: each registers its handler with ``on_approved`` once
at start-up (``rencai.wiring``). A handler runs inside the approving transaction: if it fails,
the approval is rolled back with it, so an approved case never lacks its card or its schedule;
and an approval refuses to go through before the handlers are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rencai.hooks import Hook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rencai.applications.models import Application

# each handler is called as handler(session, application) after the final approval
APPROVED = Hook("applications.events.APPROVED", required=True)


def on_approved(handler: Callable[[Session, Application], None]) -> None:
    """Register a handler for final approvals (at start-up)."""
    APPROVED.register(handler)


def approved(session: Session, application: Application) -> None:
    """Run every approval handler for a case that has just been finally approved."""
    APPROVED.fire(session, application)
