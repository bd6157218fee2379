"""What happens after a case is finally approved, without `applications` importing its consumers.

Capabilities further out (the card issuer, the payment schedules) react to an approval. They
depend on `applications`, not the reverse, so the handlers are named here as import paths and
resolved when an approval happens. A handler runs inside the approving transaction: if it fails,
the approval is rolled back with it, so an approved case never lacks its card or its schedule.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rencai.applications.models import Application

# "module:function" — each called as function(session, application) after the final approval
APPROVAL_HANDLERS: tuple[str, ...] = (
    "rencai.cards.issuance:on_approved",
    "rencai.ledger.schedules:on_approved",
)


def resolve(path: str) -> Callable[..., Any]:
    """The function a "module:function" path names, imported when first needed."""
    module, _, name = path.partition(":")
    handler: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return handler


def approved(session: Session, application: Application) -> None:
    """Run every approval handler for a case that has just been finally approved."""
    for path in APPROVAL_HANDLERS:
        resolve(path)(session, application)
