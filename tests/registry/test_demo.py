"""The demo world that `make run` loads: once, with cases at every stage."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from rencai.applications.models import Application
from rencai.audit.log import verify
from rencai.db.session import session_scope, upgrade
from rencai.registry.demo import load_demo


def test_demo_loads_once_with_every_stage(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        assert load_demo(session) is True
    with session_scope(url) as session:
        assert load_demo(session) is False
        statuses = {a.status for a in session.scalars(select(Application))}
        assert verify(session).ok
    assert statuses == {"county_review", "city_review", "approved", "returned", "rejected"}
