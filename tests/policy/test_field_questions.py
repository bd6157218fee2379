"""Every field a rule reads, and every field of the profile, is asked for in Chinese."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from rencai.policy import cities
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import Profile, ProfileError, parse_profile
from rencai.policy.contract.questions import QUESTIONS, field_label, field_question, question_of
from rencai.policy.rules import Condition, Rule

FIELD_PATH = re.compile(r"[a-z_]+\.[a-z_]+")


def _reads(rule: Rule) -> set[str]:
    if isinstance(rule, Condition):
        return {r for r in rule.reads if ":" not in r}
    found: set[str] = set()
    for child in getattr(rule, "children", ()):
        found |= _reads(child)
    return found


def _rule_reads() -> set[tuple[str, str]]:
    """(city, field path) for every leaf of every city's rules."""
    found: set[tuple[str, str]] = set()
    for code, jurisdiction in cities.registry().items():
        program = jurisdiction.program_factory()
        rules: list[Rule] = list(program.conditions)
        for card in program.cards:
            rules += [category.rule for category in card.categories]
        for benefit in program.benefits:
            rules += [r for r in (benefit.rule, getattr(benefit, "requires", None)) if r]
        for rule in rules:
            found |= {(code, path) for path in _reads(rule)}
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (
        typing.Union,
        list,
    ):
        for arg in typing.get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
    return None


def _profile_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        inner = _model_of(info.annotation)
        if inner is not None:
            paths |= _profile_paths(inner, f"{path}.")
    return paths


def test_every_field_the_rules_read_has_a_question() -> None:
    reads = _rule_reads()
    assert len({path for _, path in reads}) > 30  # the walk reached the rules of the cities
    missing = sorted(f"{city}: {path}" for city, path in reads if path not in QUESTIONS)
    assert missing == []


def test_every_profile_field_has_a_question() -> None:
    paths = _profile_paths(Profile)
    assert "employment.annual_salary" in paths and "unit.main_revenue" in paths
    assert sorted(p for p in paths if p not in QUESTIONS) == []
    for path in paths:
        entry = QUESTIONS[path]
        assert not FIELD_PATH.search(entry.label) and not FIELD_PATH.search(entry.text())
        assert entry.text().endswith("？"), path


def test_needs_information_names_no_field_path() -> None:
    # a talent who says nearly nothing: every undecided item asks in Chinese
    for code in cities.registry():
        result = entitlements(parse_profile({"jurisdiction": code, "on": "2024-06-01"}))
        for item in result["needs_information"]:
            assert item["fields"], item
            assert not FIELD_PATH.search(item["message"]), item["message"]
            assert len(item["questions"]) == len(item["fields"])
            assert all(q.endswith("？") for q in item["questions"]), item


def test_salary_asked_as_a_question() -> None:
    assert field_label("employment.annual_salary") == "年工资薪金收入（税前）"
    assert field_question("employment.annual_salary") == "您的年工资薪金收入（税前）是多少元？"
    # a city's own wording of a field is asked with its name
    assert field_question(
        "employment.start_date", {"employment.start_date": "到石工作或创业之日"}
    ) == ("您到石工作或创业之日是哪一天？")
    # list indexes do not hide the field
    assert question_of("person.education.0.degree") == QUESTIONS["person.education.degree"]


def test_profile_errors_name_the_field_in_chinese() -> None:
    try:
        parse_profile({"jurisdiction": "shijiazhuang", "employment": {"annual_salary": "很多"}})
    except ProfileError as error:
        (problem,) = error.errors
        assert problem.field == "employment.annual_salary"  # for programs
        assert problem.as_dict()["label"] == "年工资薪金收入（税前）"
        assert problem.line().startswith("年工资薪金收入（税前）：")
        assert not FIELD_PATH.search(problem.line())
    else:
        raise AssertionError("a salary in words is refused")
