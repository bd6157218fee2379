"""How many (decision 0333): a question asking a count of people, units, cards or flats, a
selection's quota, and whether the clause or its programs state a count of the kind asked."""

from __future__ import annotations

import re

from rencai.assistant.answers import entries_of
from rencai.assistant.index import Clause, ClauseIndex

# how many people a program takes or has taken (“有多少人”, “多少个名额”); not a condition
# (“至少要多少人”) nor a household (“几口人”)
COUNT_ASKED = re.compile(
    r"(?<!哪)(?:多少|几)(?:个|位|名)?(?P<what>人次|人(?!才)|名额|名(?!称)|家(?!庭)|张|套|户|"
    r"大学生|毕业生|博士(?!后)|硕士|人才|专家|企业|单位|"
    # …or how many stations, bases, platforms (“新增几个博士后工作站”): units
    r"博士后(?:科研)?工作站|工作站|基地|平台)|(?P<quota>名额)"
)
COUNT_CONDITION = re.compile(r"至少|最少|不少于|不低于|以上|家庭|几口人|人家庭")
# a count stated by the texts (“每次100名”, “每年支持10名左右”, “3—4家”, “18万人次”), of the kind
# asked: people are counted in 名, 人, 人次, 位; units in 家, 个, 户; cards in 张; flats in 套
_NUMBER = r"[\d一二三四五六七八九十百千万]+(?:\s*[—\-~至到]\s*[\d一二三四五六七八九十百千万]+)?\s*"
COUNT_UNITS = {
    "people": r"(?:名|人次|人(?![才及])|位)",
    "units": r"(?:家|个(?![月工])|户)",
    "cards": r"张",
    "flats": r"套",
}
COUNT_KINDS = {"张": "cards", "套": "flats", "家": "units", "户": "units", "企业": "units"}
COUNT_KINDS["单位"] = "units"
STATIONS = ("博士后工作站", "博士后科研工作站", "工作站", "基地", "平台")
COUNT_KINDS.update(dict.fromkeys(STATIONS, "units"))

# a question about how many are chosen (“一年评几家”, “每次支持几个”): a selection's quota
QUOTA_ASKED = re.compile(r"(?:几|多少)(?:家|个|名|项)|名额")


def count_stated(ix: ClauseIndex, clause: Clause, kind: str | None) -> bool:
    """Whether the clause or its programs state a count of the kind asked (people unless the
    question counts units, cards or flats): a selection's quota always counts."""
    entries = entries_of(ix, clause)
    if any(e.quota for e in entries):
        return True
    stated = re.compile(_NUMBER + COUNT_UNITS[kind or "people"])
    texts = [clause.quote, *clause.grants] + [
        t for e in entries for t in (e.summary, *e.amounts, *e.conditions)
    ]
    return any(stated.search(t) for t in texts)
