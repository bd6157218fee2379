"""The demo world that `make run` loads: once, with cases at every stage."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from rencai.applications.models import Application
from rencai.audit.log import verify
from rencai.db.session import session_scope, upgrade
from rencai.demo import load_demo
from tests.housing.demo_checks import check_housing_demo


def test_demo_loads_once_with_every_stage(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        assert load_demo(session) is True
    with session_scope(url) as session:
        assert load_demo(session) is False
        cases = list(session.scalars(select(Application)))
        statuses = {a.status for a in cases}
        assert verify(session).ok
        automatic = [a for a in cases if a.automatic is not None]
        on_behalf = [a for a in cases if a.submitted_by is not None]
        check_housing_demo(session)
    assert statuses == {
        "county_review",
        "city_review",
        "department_review",
        "publicity",
        "objection",
        "approved",
        "returned",
        "rejected",
    }
    # 秒批: one approved without a sample, one sampled for a post-hoc check
    assert sorted(str(a.post_check) for a in automatic) == ["None", "pending"]
    assert [a.employer_confirmation for a in on_behalf] == ["confirmed"]
