"""Slot filling: the facts a question states about a person, read into a calculator profile.

Only what the question says is read; nothing is guessed. A personal question whose answer
depends on an unstated fact gets that fact asked back, one at a time (``missing``). General
questions ("博士租房补贴多少") are computed for the reference person of decision 0149, whose
assumptions the answer states and the pre-filled calculator link lets the reader change.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlencode

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.jurisdictions.shijiazhuang.green_card import (
    A_CAT1,
    A_CAT2,
    A_CAT2_2021,
    A_CAT3,
    A_CAT3_2021,
    A_CAT4,
    A_CAT5,
)

DEGREE_LABELS = {
    "doctorate": "博士",
    "master": "硕士",
    "bachelor": "本科（学士）",
    "associate": "大专",
}
EMPLOYER_LABELS = {
    "enterprise": "企业",
    "public_institution": "事业单位",
    "civil_service_managed_institution": "参照公务员法管理的事业单位",
    "government": "党政机关",
    "social_organization": "社会组织",
    "self_employed": "自主创业",
}
CITY_WORDS = {
    "shijiazhuang": ("石家庄", "石市", "省会", "石门", "sjz"),
    "jinzhou": ("锦州", "留锦来锦", "锦绣", "jz"),
    "cangzhou": ("沧州", "狮城", "cz"),
}
# words that only the Shijiazhuang texts use
SJZ_ONLY = ("绿卡", "县卡", "a卡", "b卡", "c卡", "副卡", "石家庄工匠", "高新区")
# the reference person's workplace per city (decision 0149): the first main urban district
REFERENCE_COUNTY = {"shijiazhuang": "130102", "jinzhou": "210702", "cangzhou": "130903"}
REFERENCE_AGE = 30
# the titles a question may state of a person: those the A卡's categories (1)–(5) name
# (石办字〔2017〕15号 申领范围, with 石字〔2021〕7号 附件2's awards), read by their labels as
# written
A_CARD_HONORS = (*A_CAT1, *A_CAT2, *A_CAT2_2021, *A_CAT3, *A_CAT3_2021, *A_CAT4, *A_CAT5)
# …except the skills titles a program rewards the winning of (石字〔2021〕7号 第5条,
# 石办字〔2017〕45号 三（八）): a question naming one asks about that award, whose clause's
# standard answers it (decision 0381)
REWARDED_TITLES = frozenset(
    {"china_skills_grand_award", "national_technical_expert", "worldskills_gold"}
)
# …and an academician named by the word alone: a member of either academy (decision 0381); not
# a 院士工作站, a 院士培养对象 (not yet one) nor the 合作院士 of a workstation
ACADEMICIAN = ("academician_cas", "academician_cae")
_ACADEMY = (
    (re.compile(r"中国科学院院士|中科院院士|(?<![工社])科学院院士"), ("academician_cas",)),
    (re.compile(r"工程院院士"), ("academician_cae",)),
    (re.compile(r"(?:发达国家|外国|国外|外籍)院士"), ("academician_foreign",)),
    (re.compile(r"两院院士"), ACADEMICIAN),
    (re.compile(r"(?<![院家国籍外作])院士(?!工作站|培养|合作|智力|重点)"), ACADEMICIAN),
)

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_number(text: str) -> int | None:
    """二十八 / 三十 / 四十五 → int (ages as people write them)."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text] if len(text) == 1 else None


@dataclass
class Slots:
    jurisdiction: str | None = None
    degree: str | None = None
    age: int | None = None
    birth_year: int | None = None
    county: str | None = None
    school_tags: list[str] = field(default_factory=list)
    school: str | None = None  # with discipline: a pair of the A类学科 list (石字〔2021〕7号 附件2)
    discipline: str | None = None
    employer_type: str | None = None
    start_date: dt.date | None = None
    graduation_year: int | None = None
    flexible: bool = False
    honors: list[str] = field(default_factory=list)  # codes of the A卡 categories' titles

    def merged(self, earlier: Slots | None) -> Slots:
        """These slots over those of an earlier turn (what this message says wins)."""
        if earlier is None:
            return self
        out = Slots(**{f.name: getattr(earlier, f.name) for f in fields(Slots)})
        for f in fields(Slots):
            value = getattr(self, f.name)
            if value not in (None, [], False):
                setattr(out, f.name, value)
        return out

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.start_date:
            data["start_date"] = self.start_date.isoformat()
        return {k: v for k, v in data.items() if v not in (None, [], False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Slots:
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if isinstance(values.get("start_date"), str):
            values["start_date"] = dt.date.fromisoformat(values["start_date"])
        slots = cls(**values)
        slots.validate()
        return slots

    def validate(self) -> None:
        v = vocabulary()
        if self.jurisdiction is not None and self.jurisdiction not in v.codes("jurisdiction"):
            raise ValueError("jurisdiction")
        if self.degree is not None and self.degree not in v.codes("degree"):
            raise ValueError("degree")
        if self.county is not None and self.county not in v.counties:
            raise ValueError("county")
        if self.employer_type is not None and self.employer_type not in v.codes("employer_type"):
            raise ValueError("employer_type")
        if any(t not in v.codes("school_tag") for t in self.school_tags):
            raise ValueError("school_tags")
        if not isinstance(self.honors, list) or any(h not in A_CARD_HONORS for h in self.honors):
            raise ValueError("honors")
        for name in ("school", "discipline"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or len(value) > 100):
                raise ValueError(name)
        if self.age is not None and not 16 <= int(self.age) <= 100:
            raise ValueError("age")
        if self.birth_year is not None and not 1920 <= int(self.birth_year) <= 2015:
            raise ValueError("birth_year")
        if self.graduation_year is not None and not 1950 <= int(self.graduation_year) <= 2100:
            raise ValueError("graduation_year")

    def age_on(self, on: dt.date) -> int | None:
        if self.age is not None:
            return self.age
        if self.birth_year is not None:
            return on.year - self.birth_year
        return None


def _counties() -> list[tuple[str, str, str]]:
    """(name as written, code, jurisdiction), the longer names first."""
    found = []
    for code, county in vocabulary().counties.items():
        name = county.name
        jurisdiction = county.jurisdiction or "shijiazhuang"
        short = re.sub(r"（.*）", "", name)
        forms = {name, short}
        if len(short) > 2 and short[-1] in "县区市":
            forms.add(short[:-1])
        for form in forms:
            found.append((form, code, jurisdiction))
    return sorted(found, key=lambda x: -len(x[0]))


_AGE = re.compile(r"(\d{2}|[一二三四五六七八九十]{1,3})\s*(?:周岁|岁)")
_BIRTH = re.compile(r"((?:19|20)?\d{2})\s*年?\s*(?:出生|生人|生的|年生|的人|后|年的)")
_BIRTH_FULL = re.compile(r"((?:19|20)\d{2})\s*年\s*(?:\d{1,2}\s*月\s*)?(?:出生|生)")
_START = re.compile(
    r"((?:19|20)\d{2})\s*年\s*(?:(\d{1,2})\s*月)?[^，。,]{0,6}?(?:来|到|入职|就业|工作|引进)"
)
_GRAD = re.compile(r"((?:19|20)\d{2})\s*年?\s*(?:(?:\d{1,2})\s*月\s*)?(?:毕业|届)")


def _unquoted(text: str) -> str:
    return re.sub(r"[“”\"]", "", text)


def honors_of(text: str) -> list[str]:
    """The A卡 categories' titles a (normalised) question states, as codes (decision 0381)."""
    bare = _unquoted(text)
    labels = vocabulary().codes("honor")
    found = [
        code
        for code in A_CARD_HONORS
        if code not in REWARDED_TITLES and _unquoted(labels[code]) in bare
    ]
    for pattern, codes in _ACADEMY:
        if pattern.search(bare):
            found += codes
    return list(dict.fromkeys(c for c in A_CARD_HONORS if c in found))


def jurisdiction_of(text: str) -> str | None:
    """The city a (normalised) question is about, if it says."""
    hits = {code for code, words in CITY_WORDS.items() if any(w in text for w in words)}
    if len(hits) == 1:
        return hits.pop()
    if hits:
        return None
    for name, _, jurisdiction in _counties():
        if len(name) >= 2 and name in text and name not in ("新华区", "新华"):
            return jurisdiction
    if any(w in text for w in SJZ_ONLY):
        return "shijiazhuang"
    return None


def fill(text: str, on: dt.date) -> Slots:
    """The slots a normalised question fills."""
    slots = Slots(jurisdiction=jurisdiction_of(text))
    if "博士后" in text or re.search(r"博士(?!后)", text):
        slots.degree = "doctorate"
    elif "硕博" in text:
        slots.degree = None
    elif re.search(r"硕士|研究生|研究僧|硕士生", text):
        slots.degree = "master"
    elif re.search(r"本科|学士|大学毕业", text):
        slots.degree = "bachelor"
    elif re.search(r"大专|专科", text):
        slots.degree = "associate"
    if "硕博" not in text and "博士" in text and "硕士" in text:
        slots.degree = None  # both named: a comparison, not a person
    if m := _AGE.search(text):
        age = _cn_number(m.group(1))
        if age is not None and 16 <= age <= 100:
            slots.age = age
    if slots.age is None and (m := _BIRTH_FULL.search(text) or _BIRTH.search(text)):
        year = int(m.group(1))
        if year < 100:
            year += 1900 if year > (on.year % 100) else 2000
        if 1920 <= year <= on.year - 16:
            slots.birth_year = year
    for name, code, jurisdiction in _counties():
        if len(name) >= 2 and name in text:
            if slots.jurisdiction and jurisdiction != slots.jurisdiction:
                continue
            slots.county = code
            slots.jurisdiction = slots.jurisdiction or jurisdiction
            break
    tags = []
    if re.search(r"双一流|985|211|一流大学|一流高校", text):
        tags.append("double_first_class")
    if re.search(r"(?:世界|qs|全球)\s*(?:排名)?\s*前?\s*500|前五百", text):
        tags.append("world_top500")
    if "一本" in text:
        tags.append("first_batch_undergraduate")
    slots.school_tags = tags
    for school, discipline in vocabulary().a_class_disciplines:
        if school in text and discipline in text:
            slots.school, slots.discipline = school, discipline
            break
    if re.search(r"参公|参照公务员", text):
        slots.employer_type = "civil_service_managed_institution"
    elif re.search(r"公务员|机关|政府部门", text):
        slots.employer_type = "government"
    elif re.search(r"事业单位|事业编|医院|高校任教|学校|大学老师|教师|研究所|研究院", text):
        slots.employer_type = "public_institution"
    elif re.search(r"自主创业|自己创业|创业|个体", text):
        slots.employer_type = "self_employed"
    elif re.search(r"企业|公司|厂|民企|国企|私企|外企", text):
        slots.employer_type = "enterprise"
    if m := _GRAD.search(text):
        slots.graduation_year = int(m.group(1))
    elif re.search(r"应届|今年毕业|刚毕业", text):
        slots.graduation_year = on.year if on.month >= 7 else on.year - 1
    if m := _START.search(text):
        year, month = int(m.group(1)), int(m.group(2) or 1)
        if 1 <= month <= 12 and m.group(1) != str(slots.graduation_year or ""):
            slots.start_date = dt.date(year, month, 1)
    if re.search(r"柔性|兼职|不全职", text):
        slots.flexible = True
    slots.honors = honors_of(text)
    return slots


def _birth(slots: Slots, on: dt.date) -> dt.date | None:
    if slots.birth_year is not None:
        return dt.date(slots.birth_year, 7, 1)
    if slots.age is not None:
        # a person whose ``age``-th birthday is ``on``: that age for the whole year ahead
        try:
            return on.replace(year=on.year - slots.age)
        except ValueError:  # 29 February
            return dt.date(on.year - slots.age, 3, 1)
    return None


def graduation(slots: Slots, on: dt.date) -> dt.date:
    """The stated graduation year's 30 June, else the last 30 June on or before ``on``."""
    if slots.graduation_year is not None:
        return dt.date(slots.graduation_year, 6, 30)
    year = on.year if on >= dt.date(on.year, 6, 30) else on.year - 1
    return dt.date(year, 6, 30)


# “2020年的时候…”, “按2019年6月的政策…”: the date the question asks about (not a birth, arrival or
# graduation date, which have words of their own)
_ASKED = re.compile(
    r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?\s*"
    r"(?:的时候|那时候?|当时|那会儿?|时(?!间)|施行的|的政策|的标准)"
)


def asked_date(text: str, today: dt.date) -> dt.date | None:
    """The date a question asks about: a day as written, else the last day of the month or year
    written (the law in force then, decision 0287); never after ``today``."""
    match = _ASKED.search(text)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else 12
    if year < 2000 or not 1 <= month <= 12:
        return None
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    day = int(match.group(3)) if match.group(3) else last
    if not 1 <= day <= last:
        return None
    return min(dt.date(year, month, day), today)


def reference(slots: Slots, on: dt.date) -> Slots:
    """The reference person of decision 0149 with what the question states over it."""
    base = Slots(
        jurisdiction=slots.jurisdiction or "shijiazhuang",
        age=None if slots.birth_year else (slots.age or REFERENCE_AGE),
        birth_year=slots.birth_year,
        county=slots.county,
        employer_type=slots.employer_type or "enterprise",
        start_date=slots.start_date or on,
        school_tags=list(slots.school_tags),
        school=slots.school,
        discipline=slots.discipline,
        degree=slots.degree,
        graduation_year=slots.graduation_year,
        flexible=slots.flexible,
        honors=list(slots.honors),
    )
    if base.county is None:
        base.county = REFERENCE_COUNTY.get(base.jurisdiction or "")
    return base


def profile(slots: Slots, on: dt.date) -> dict[str, Any]:
    """The calculator profile (contract JSON) of filled slots; unstated facts stay absent."""
    person: dict[str, Any] = {}
    if slots.honors:
        person["honors"] = list(slots.honors)
    if (born := _birth(slots, on)) is not None:
        person["birth_date"] = born.isoformat()
    if slots.degree:
        person["education"] = [
            {
                "degree": slots.degree,
                "full_time": True,
                "school_tags": list(slots.school_tags),
                "graduation_date": graduation(slots, on).isoformat(),
            }
        ]
        if slots.school and slots.discipline:
            person["education"][0] |= {"school": slots.school, "discipline": slots.discipline}
    employment: dict[str, Any] = {
        "introduced_from": "outside_city",
        "social_insurance_local": True,
        "mode": "flexible" if slots.flexible else "full_time",
    }
    if slots.employer_type:
        employment["employer_type"] = slots.employer_type
    if slots.county:
        employment["county"] = slots.county
    employment["start_date"] = (slots.start_date or on).isoformat()
    return {
        "jurisdiction": slots.jurisdiction or "shijiazhuang",
        "on": on.isoformat(),
        "person": person,
        "employment": employment,
    }


def calculator_link(slots: Slots, on: dt.date) -> str:
    """/calculator pre-filled by query string with what is known (the page's own field names)."""
    query: list[tuple[str, str]] = [
        ("jurisdiction", slots.jurisdiction or "shijiazhuang"),
        ("on", on.isoformat()),
        ("introduced_from", "outside_city"),
        ("social_insurance_local", "on"),
        ("full_time", "on"),
        ("mode", "flexible" if slots.flexible else "full_time"),
    ]
    if (born := _birth(slots, on)) is not None:
        query.append(("birth_date", born.isoformat()))
    if slots.degree:
        query.append(("degree", slots.degree))
    query += [("honors", h) for h in slots.honors]
    query += [("school_tags", t) for t in slots.school_tags]
    if slots.school and slots.discipline:
        query += [("school", slots.school), ("discipline", slots.discipline)]
    if slots.employer_type:
        query.append(("employer_type", slots.employer_type))
    if slots.county:
        query.append(("county", slots.county))
    query.append(("start_date", (slots.start_date or on).isoformat()))
    return "/calculator?" + urlencode(query)


def as_stated(reason: str, slots: Slots) -> str:
    """The calculator's reason as the question stated the person: a 院士 named by the word alone
    is a member of either academy, not of both (decision 0381)."""
    if set(ACADEMICIAN) <= set(slots.honors):
        labels = vocabulary().codes("honor")
        both = "、".join(labels[h] for h in ACADEMICIAN)
        reason = reason.replace(both, "或".join(labels[h] for h in ACADEMICIAN))
    return reason


def describe(slots: Slots, on: dt.date) -> str:
    """The facts a computation used, in Chinese, as the answer states them."""
    v = vocabulary()
    parts = []
    honors = list(slots.honors)
    if set(ACADEMICIAN) <= set(honors):
        # a 院士 the question names by the word alone (decision 0381)
        honors = [h for h in honors if h not in ACADEMICIAN]
        parts.append("院士（中国科学院或中国工程院）")
    labels = v.codes("honor")
    # (a prize is stated as won: “获得何梁何利奖”)
    parts += [("获得" if labels[h].rstrip("”").endswith("奖") else "") + labels[h] for h in honors]
    if slots.degree:
        parts.append("全日制" + DEGREE_LABELS.get(slots.degree, slots.degree))
    if slots.school_tags:
        parts.append("、".join(v.codes("school_tag")[t] for t in slots.school_tags))
    if slots.school and slots.discipline:
        parts.append(f"{slots.school}{slots.discipline}专业")
    if slots.graduation_year is not None:
        parts.append(f"{slots.graduation_year}年毕业")
    if (age := slots.age_on(on)) is not None:
        parts.append(f"{age}周岁")
    if slots.county:
        parts.append(v.counties[slots.county].name)
    if slots.employer_type:
        parts.append(EMPLOYER_LABELS.get(slots.employer_type, slots.employer_type))
    parts.append("从市外柔性引进" if slots.flexible else "全职从市外引进")
    parts.append(f"{(slots.start_date or on).isoformat()}到岗并在当地缴纳社会保险")
    return "，".join(parts)
