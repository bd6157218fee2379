"""What the policy files say to readers (notes, summaries, citations) names 政策文件, never the
platform's own sources ("种子文件", the decision records)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

import rencai.policy.jurisdictions as jurisdictions

INTERNAL = re.compile(r"种子文件|seed file|docs/|decisions/|\bseed\b|决定\s?0\d{3}", re.IGNORECASE)
# keys never displayed: the source text the platform read, and the (English) developer note on
# why a clause is not computed (docs/policy-coverage.md)
NOT_SHOWN = {"seed", "reason"}


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if str(k) not in NOT_SHOWN:
                yield from _strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, str):
        yield key, value


def test_policy_texts_name_no_internal_source() -> None:
    folder = Path(jurisdictions.__file__).parent
    files = sorted(folder.rglob("*.yaml"))
    assert len(files) > 50
    found = [
        f"{path.relative_to(folder)} {key}: {text[:60]}"
        for path in files
        for key, text in _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
        if INTERNAL.search(text)
    ]
    assert found == []


# a parameter's description and its question to the administrator reach citizens (the answer's
# items awaiting the office, the pages): Chinese words, never a code ("bronze", "t3", "f10")
CODE = re.compile(r"[a-z]")


def test_parameter_descriptions_are_chinese_words_not_codes() -> None:
    folder = Path(jurisdictions.__file__).parent
    found = []
    for path in sorted(folder.rglob("parameters/**/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = [data.get("description") or ""]
        for entry in (data.get("values") or {}).values():
            texts.append(((entry or {}).get("metadata") or {}).get("needs_administrator") or "")
        found += [f"{path.relative_to(folder)}: {text}" for text in texts if CODE.search(text)]
    assert found == []


def test_an_amount_the_texts_leave_open_reads_the_same_everywhere() -> None:
    # 石办字〔2017〕45号 三（八）: "市级财政参照国家和省确定的标准给予一定奖励" (decision 0331)
    import datetime as dt

    from rencai.policy.calculator import entitlements
    from rencai.policy.contract.profile import parse_profile

    profile = parse_profile(
        {
            "jurisdiction": "shijiazhuang",
            "person": {"birth_date": "1990-05-01", "honors": ["worldskills_gold"]},
            "employment": {"employer_type": "enterprise", "county": "130102"},
        }
    )
    (entry,) = entitlements(profile, dt.date(2019, 6, 1))["needs_administrator"]
    assert entry["note"] == "金额待主管部门明确"
    assert entry["description"] == "世界技能大赛金奖市级奖励（元）"
    assert entry["name"] == "世界技能大赛获奖支持"


# an amount a text leaves open reads “金额待主管部门明确” in the catalogue too (decision 0331),
# never the older “金额未载明”, “（额度未载明）”, “标准……未载明”
OLD_OPEN_AMOUNT = re.compile(
    r"未载明|未载金额|(?:金额|额度|标准|待遇|奖励|补贴|补助|津贴)[^。；，]*未(?:规定|明确)"
)


def _citizen_texts(entry: object) -> Iterator[str]:
    from rencai.policy.catalogue import CITIZEN_FIELDS

    for key in CITIZEN_FIELDS:
        value = getattr(entry, key)
        if value is not None and not isinstance(value, str | tuple):
            value = value.source
        for text in value if isinstance(value, tuple) else [value]:
            if text:
                yield text


def test_no_catalogue_summary_says_an_open_amount_the_old_way() -> None:
    from rencai.policy.catalogue import catalogue

    cat = catalogue()
    texts = [(e.id, text) for e in cat.entries.values() for text in _citizen_texts(e)]
    texts += [(d.key, d.note) for d in cat.documents.values() if d.note]
    assert len(texts) > 300
    assert [f"{key}: {text}" for key, text in texts if OLD_OPEN_AMOUNT.search(text)] == []
    # the programs whose texts grant an amount they do not state say so in the office's words
    summaries = {e.id: e.summary for e in cat.entries.values()}
    assert "金额待主管部门明确" in summaries["sjz.skills2017.vr_training_subsidy"]
    assert sum("金额待主管部门明确" in s for s in summaries.values()) >= 20


def test_the_old_wording_is_found_where_it_stands() -> None:
    assert OLD_OPEN_AMOUNT.search("每年遴选一批高技能人才给予一定奖励；金额未载明。")
    assert OLD_OPEN_AMOUNT.search("市财政给予一定额度资金支持（额度未载明）。")
    assert OLD_OPEN_AMOUNT.search("奖励标准文件未规定。")
    assert not OLD_OPEN_AMOUNT.search("支持金额待主管部门明确。")
