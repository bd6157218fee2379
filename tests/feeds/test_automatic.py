"""秒批 and the department feeds: a flagged check (a mismatch, a name-only match) sends the case to
a person; exact matches join the explanation; no feed data leaves 秒批 as it was."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rencai import settings
from rencai.applications import events
from rencai.applications.models import Application, Status
from rencai.applications.programs import configure
from rencai.applications.service import apply
from rencai.db.session import session_scope
from rencai.feeds.departments import SOURCES, load_delivery
from rencai.feeds.source import UploadedSource
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role, TalentProfile
from tests.profiles import doctor_today
from tests.support import random_id_number

PROGRAM = "sjz.b.service.daily_life"


@pytest.fixture(autouse=True)
def no_card_issuing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("RENCAI_FILES_DIR", str(tmp_path))
    settings.reset()
    with events.APPROVED.replaced(lambda session, application: None):
        yield


def _degree_row(number: str, name: str, form: str) -> list[str]:
    school = ["河北工业大学", "double_first_class", "doctorate", "化学工程与技术"]
    graduated = doctor_today()["person"]["education"][0]["graduation_date"]
    return [number, name, *school, form, graduated]


def _apply(url: str, tmp_path: Path, degree_rows: list[list[str]], number: str) -> Application:
    profile = doctor_today()
    with session_scope(url) as s:
        admin = create_account(s, f"ad{uuid.uuid4().hex[:6]}", "secret123", "管理员", Role.admin)
        configure(s, admin, PROGRAM, chain=["county", "city"], auto_approve=True, sample_percent=0)
        register_talent(s, f"t{uuid.uuid4().hex[:6]}", "secret123", "王博士", number, profile)
        if degree_rows:
            lines = [SOURCES["degrees"].columns, *degree_rows]
            content = "\n".join(",".join(row) for row in lines).encode()
            load_delivery(s, "degrees", UploadedSource("d.csv", content), "data", tmp_path)
    with session_scope(url) as s:
        talent = s.query(TalentProfile).filter_by(id_number=number).one()
        case = apply(s, talent, PROGRAM, uuid.uuid4().hex)
        s.expunge(case)
    return case


def test_an_exact_match_joins_the_explanation(db_url: str, tmp_path: Path) -> None:
    number = random_id_number()
    case = _apply(db_url, tmp_path, [_degree_row(number, "王博士", "全日制")], number)
    assert case.status == Status.approved
    explanation: dict[str, Any] = json.loads(case.automatic or "")
    [finding] = explanation["data_checks"]
    assert finding["claim"] == "degree" and finding["rows"] == ["学信（学历学位） 第1批第2行"]


def test_a_mismatch_sends_the_case_to_a_person(db_url: str, tmp_path: Path) -> None:
    number = random_id_number()
    case = _apply(db_url, tmp_path, [_degree_row(number, "王博士", "非全日制")], number)
    assert case.status == Status.county_review and case.automatic is None


def test_a_name_only_match_sends_the_case_to_a_person_never_refuses(
    db_url: str, tmp_path: Path
) -> None:
    number = random_id_number()
    namesake = _degree_row(random_id_number("1990-01-01"), "王博士", "全日制")
    case = _apply(db_url, tmp_path, [namesake], number)
    assert case.status == Status.county_review and case.automatic is None  # not rejected


def test_without_feed_data_automatic_approval_is_unchanged(db_url: str, tmp_path: Path) -> None:
    number = random_id_number()
    case = _apply(db_url, tmp_path, [], number)
    assert case.status == Status.approved
    assert "data_checks" not in json.loads(case.automatic or "")
