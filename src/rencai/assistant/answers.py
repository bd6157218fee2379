"""What every answer of 云骥 is made of: the answer and its amounts, the intents it reports, the
citation of a clause, the source line and validity note, the program summary, and the refusal that
names the city's office (``offices.yaml``, an administrator's setting)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml

from rencai.assistant.index import Clause, ClauseIndex
from rencai.assistant.subjects import services_only
from rencai.assistant.text import to_simplified
from rencai.policy.catalogue import Entry
from rencai.policy.cities import names

Intent = Literal[
    "amount", "eligibility", "personal", "process", "case_status", "information", "out_of_scope"
]
INTENT_LABELS = {
    "amount": "金额标准",
    "eligibility": "申领条件",
    "personal": "个人测算",
    "process": "办理流程",
    "case_status": "办件进度",
    "information": "政策咨询",
    "out_of_scope": "超出范围",
}

# Where to ask when the assistant cannot answer: an administrator's setting (offices.yaml)
_OFFICES = yaml.safe_load(Path(__file__).with_name("offices.yaml").read_text(encoding="utf-8"))
OFFICES: dict[str, str] = {k: str(v) for k, v in _OFFICES.items() if k != "any"}
ANY_OFFICE = str(_OFFICES["any"])


@dataclass
class Amount:
    benefit: str
    name: str
    amount: str  # Decimal as text, yuan
    per: str | None  # month | year | once
    periods: int | None
    total: str | None
    degree: str | None
    facts: str  # the facts it was computed for, in Chinese
    citation: dict[str, Any]


@dataclass
class Answer:
    question: str
    answer: str
    intent: Intent
    refused: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    eligibility: list[dict[str, Any]] = field(default_factory=list)
    ask: dict[str, str] | None = None  # the one fact asked back: {"slot", "question"}
    slots: dict[str, Any] = field(default_factory=dict)
    calculator_url: str | None = None
    jurisdiction: str | None = None
    on: str = ""
    confidence: float = 0.0
    office: str | None = None
    records: dict[str, list[int]] | None = None  # the asker's own cases and schedules cited

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": self.citations,
            "refused": self.refused,
            "intent": self.intent,
            "intent_label": INTENT_LABELS[self.intent],
            "amounts": [a.__dict__ for a in self.amounts],
            "eligibility": self.eligibility,
            "ask": self.ask,
            "slots": self.slots,
            "calculator_url": self.calculator_url,
            "jurisdiction": self.jurisdiction,
            "on": self.on,
            "confidence": round(self.confidence, 3),
            "office": self.office,
            "question": self.question,
            "records": self.records,
        }


def refusal(
    question: str,
    intent: Intent,
    on: dt.date,
    jurisdiction: str | None,
    why: str,
    confidence: float = 0.0,
) -> Answer:
    office = OFFICES.get(jurisdiction or "", ANY_OFFICE)
    return Answer(
        question=question,
        answer=f"{why}建议咨询{office}。",
        intent=intent,
        refused=True,
        jurisdiction=jurisdiction,
        on=on.isoformat(),
        confidence=confidence,
        office=office,
    )


def cite(clause: Clause) -> dict[str, Any]:
    data = clause.citation()
    simplified = to_simplified(clause.quote)
    if simplified != clause.quote:
        data["quote_simplified"] = simplified
    return data


def entries_of(ix: ClauseIndex, clause: Clause) -> list[Entry]:
    return [ix.catalogue.entries[p] for p in clause.programs if p in ix.catalogue.entries]


def yuan(value: Any) -> str:
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{int(amount):,}元".replace(",", "")
    return f"{amount}元"


PER_LABELS = {"month": "每月", "year": "每年", "once": "一次性"}


def amount_phrase(a: Amount) -> str:
    per = PER_LABELS.get(a.per or "", "")
    text = f"{a.name}{per}{yuan(a.amount)}"
    if a.per in ("month", "year") and a.periods:
        unit = "个月" if a.per == "month" else "年"
        text += f"，共{a.periods}{unit}"
        if a.total:
            text += f"（合计{yuan(a.total)}）"
    return text


def program_summary(ix: ClauseIndex, clause: Clause) -> str:
    """The clause's program summary (the catalogue writes it for citizens; its notes for the
    offices are a field of their own, never read here). A value the texts leave to the office
    (“具体金额待主管部门明确”) names the city's office to ask, as the pages do. A card's service
    item is summarised by its own name, not by the card's scope (decision 0373)."""
    entries = entries_of(ix, clause)
    if services_only(clause):
        items = (g.replace("（服务项目）", "").removeprefix("持卡人才") for g in clause.grants)
        return "持卡人才可享受的服务项目：" + "；".join(items) + "。"
    text = entries[0].summary if entries else "；".join(clause.grants)
    if "金额待主管部门明确" in text:
        office = OFFICES.get(clause.jurisdiction, ANY_OFFICE)
        text = text.replace("金额待主管部门明确", f"金额待主管部门明确，请向{office}咨询", 1)
    return text


def city_name(code: str | None) -> str:
    return names().get(code or "", "")


def source_of(clause: Clause, on: dt.date) -> tuple[str, str, str]:
    """(依据…, 原文：“…”, validity note) of a clause, as the answer states them."""
    where = city_name(clause.jurisdiction)
    if clause.document == clause.document_title or "〔" not in clause.document:
        # (a document without a 文号 is named by its title alone)
        source = f"依据{where}《{clause.document_title}》{clause.clause}"
    else:
        source = f"依据{where}《{clause.document_title}》（{clause.document}）{clause.clause}"
    return source, f"原文：“{to_simplified(clause.quote)}”", validity_note(clause, on)


def validity_note(clause: Clause, on: dt.date) -> str:
    if clause.expires and clause.expires < on:
        until = clause.expires.isoformat()
        return f"（注意：该文件有效期至{until}，查询日已过期，以主管部门答复为准。）"
    if clause.effective and clause.effective > on:
        return f"（注意：该文件自{clause.effective.isoformat()}起施行，查询日尚未施行。）"
    return ""


def program_name(ix: ClauseIndex, clause: Clause) -> str:
    entries = entries_of(ix, clause)
    name = entries[0].name if entries else (clause.grants[0] if clause.grants else "")
    return f"“{name}”" if name else "该项目"
