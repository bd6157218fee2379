"""Needs information: the profile fields that would decide what is still undecided.

Fields are named in Chinese; a jurisdiction may word a field its own way
(``Program.field_labels``: the day one started to work or do business *there*).
"""

from __future__ import annotations

from typing import Any

from rencai.policy.contract.display import UNIT_FIELD_LABELS
from rencai.policy.explain.subject import Explainer, Subject
from rencai.policy.rules import Rule

FIELD_LABELS = {
    "person.birth_date": "出生日期",
    "person.education": "学历学位",
    "person.education.full_time": "是否全日制",
    "person.education.graduation_date": "毕业日期",
    "person.honors": "荣誉称号",
    "person.science_awards": "科技奖励",
    "person.invention_patents": "发明专利",
    "person.recognitions": "人才认定",
    "person.postdoc_in_station": "是否在站博士后研究人员",
    "person.national_class1_competition_place": "国家一类技能竞赛名次",
    "person.unemployment_insurance_months": "累计缴纳失业保险费月数",
    "person.skill_certificate": "取得的职业资格或职业技能等级证书",
    "person.skill_certificate_date": "取得证书日期",
    "employment.employer_type": "单位类型",
    "employment.county": "工作所在县（市、区）",
    "employment.introduced_from": "引进来源",
    "employment.start_date": "到本地工作或创业之日",
    "employment.social_insurance_local": "本地社保缴纳情况",
    "family": "家庭成员（父母、配偶）",
    **UNIT_FIELD_LABELS,
}


def field_label(explainer: Explainer, path: str) -> str:
    return explainer.program.field_labels.get(path) or FIELD_LABELS.get(path, path)


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
        "message": "需补充：" + "、".join(field_label(explainer, f) for f in fields),
    }
