"""Needs information: the profile fields that would decide what is still undecided.

Fields are asked for by their Chinese question (``contract.questions``); a jurisdiction may word a
field its own way (``Program.field_labels``: the day one started to work or do business *there*).
"""

from __future__ import annotations

from typing import Any

from rencai.policy.contract import questions
from rencai.policy.explain.subject import Explainer, Subject
from rencai.policy.rules import Rule


def field_label(explainer: Explainer, path: str) -> str:
    return questions.field_label(path, explainer.program.field_labels)


def field_question(explainer: Explainer, path: str) -> str:
    return questions.field_question(path, explainer.program.field_labels)


def needs_information(
    explainer: Explainer, item_id: str, name: str, rule: Rule, person: Subject
) -> dict[str, Any] | None:
    """The entry asking for the fields that decide ``rule``; None when only a parameter awaiting
    the administrator leaves it undecided."""
    fields = explainer.needs(rule, person)
    if not fields:
        return None
    return {
        "id": item_id,
        "name": name,
        "fields": fields,
        "labels": [field_label(explainer, f) for f in fields],
        "questions": [field_question(explainer, f) for f in fields],
        "message": "需补充：" + "、".join(field_label(explainer, f) for f in fields),
    }
