"""A case on file for a person: what makes 政策找人 leave them out."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Application


def record_application(session: Session, talent_id: int, program: str = "card.b") -> None:
    """A submitted application of the talent for the program (Shijiazhuang, 长安区)."""
    session.add(
        Application(
            talent_id=talent_id,
            program=program,
            program_name="石家庄市人才绿卡B卡",
            jurisdiction="shijiazhuang",
            county="130102",
            status="submitted",
            profile_snapshot="{}",
            rules_version="x",
            precheck="{}",
            idempotency_key=uuid.uuid4().hex,
            submitted_at=clock.now(),
            version=1,
        )
    )
