"""Explanations speak each jurisdiction's own words: nothing in explain mode names a city."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.policy.engine.system import system_for
from tests.policy.test_jinzhou import graduate
from tests.profiles import doctor

EXPLAIN = Path(__file__).parents[2] / "src" / "rencai" / "policy" / "explain"


def _asked(result: dict, item: str) -> str:
    return next(n["message"] for n in result["needs_information"] if n["id"] == item)


def test_a_jinzhou_question_uses_jinzhou_wording() -> None:
    profile = graduate()
    del profile["employment"]["start_date"]
    result = entitlements(parse_profile(profile), dt.date(2024, 1, 1))
    message = _asked(result, "jz.graduate.living_allowance")
    assert "到锦州工作或创业之日" in message
    assert "到石" not in message


def test_a_shijiazhuang_question_keeps_its_wording() -> None:
    profile = doctor()
    del profile["employment"]["start_date"]
    result = entitlements(parse_profile(profile))
    messages = " ".join(n["message"] for n in result["needs_information"])
    assert "到石工作或创业之日" in messages


def test_family_card_sponsors_are_declared_by_the_card() -> None:
    family = system_for("shijiazhuang").program.card("card.family")
    assert family.sponsors == ("card.a", "card.b")
    profile = doctor()
    del profile["family"]
    result = entitlements(parse_profile(profile))
    assert "card.family" in {n["id"] for n in result["needs_information"]}


def test_explain_mode_names_no_card_and_no_city() -> None:
    modules = sorted(EXPLAIN.glob("*.py"))
    assert len(modules) > 1  # explain mode is split by what it explains
    for path in modules:
        text = path.read_text(encoding="utf-8")
        for word in ("card.a", "card.b", "card.county", "到石", "石家庄", "shijiazhuang"):
            assert word not in text, (path.name, word)
