"""A case's history: every action is a row on the case and an entry in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from rencai.applications.models import Action, Application
from rencai.audit.log import append as audit

# who acted when no account did: the platform itself (秒批, end of notice) or the public (异议)
SYSTEM, PUBLIC = "system", "public"


def record(
    session: Session,
    application: Application,
    actor_id: int | None,
    level: str,
    action: str,
    reason: str | None,
    moment: dt.datetime,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        Action(
            application_id=application.id,
            actor_id=actor_id,
            level=level,
            action=action,
            reason=reason,
            at=moment,
        )
    )
    audit(
        session,
        f"account:{actor_id}" if actor_id is not None else level,
        f"application.{action}",
        f"application:{application.id}",
        {"level": level, "status": application.status, "reason": reason, **(details or {})},
        at=moment,
    )
    session.flush()
