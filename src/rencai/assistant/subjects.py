"""What a question is about: the kind of money (房租, 购房, 创业, 安家, 生活/居住补贴,
保租房), the card it names, a person or a team, a group a program is confined to — and the same
read from a clause (the cards it computes, the targets of its programs)."""

from __future__ import annotations

import re

from rencai.assistant.index import Clause, clause_index

CARD_WORDS = {"a卡": "card.a", "b卡": "card.b", "县卡": "card.county", "副卡": "card.family"}
# a card's services asked in lay words (“注册公司”): the texts' words, only beside a card named,
# so that “怎么注册公司” alone stays outside the policies
CARD_SERVICE_WORDS = re.compile(
    r"注册公司|开公司|办公司|注册企业|成立公司|(?:办|领|申请|申办|办理)营业执照"
)
CARD_SERVICE_TERMS = "企业登记 工商"

# a question about a person (a degree named) and not about an employer or a platform
PERSON_WORDS = re.compile(r"博士(?!后)|硕士|本科|学士|研究生|大学生|毕业生")
UNIT_WORDS = re.compile(r"企业|公司|单位|机构|团队|平台|基地|工作站|工作室|学校|院校")
# …and one about a team (not the employer a person works for, nor a team's members)
TEAM_WORDS = re.compile(r"团队")
MEMBER_WORDS = re.compile(r"成员|带头人|负责人|个人")
# groups a program may be confined to (“残疾青年职业培训补贴”)
GROUP_WORDS = re.compile(r"残疾|退役军人|农民工")


def confined_to(clause: Clause) -> set[str]:
    """The groups every grant of the clause is confined to (none for a general program)."""
    named = [set(GROUP_WORDS.findall(g)) for g in clause.grants]
    return set.intersection(*named) if named and all(named) else set()


def for_persons_only(clause: Clause) -> bool:
    """Whether every program the clause grants goes to a person."""
    entries = clause_index().catalogue.entries
    targets = {entries[p].target for p in clause.programs if p in entries}
    return targets == {"person"}


def for_units_only(clause: Clause) -> bool:
    """Whether every program the clause grants goes to an employer or an institution."""
    entries = clause_index().catalogue.entries
    targets = {entries[p].target for p in clause.programs if p in entries}
    return bool(targets) and "person" not in targets


# What an amount question asks about, to keep another program's amount out of its answer
TOPIC_WORDS = {
    "rent": re.compile(r"房租|租房|(?<![购住买])房补|租金|租赁|租住"),
    "purchase": re.compile(r"购房|买房"),
    "startup": re.compile(r"创业"),
    "settlement": re.compile(r"安家"),
    "living": re.compile(r"生活补贴|生活费"),
    "housing": re.compile(r"居住补贴|住房补贴"),
    "rental_housing": re.compile(r"保租房|保障性租赁住房|保障房"),
}
# a subject the city's texts never name, answered with the one they name in its place: a
# graduate renting in Jinzhou is paid its 居住补贴, not tied to renting (decision 0372); buying
# is not (decision 0361)
STAND_INS = {"rent": "housing"}
SUBJECT_LABELS = {"rent": "租房补贴", "housing": "居住补贴"}
# a named program's topic is the whole subject (保租房's 租赁补贴 is not a card's 房租补助);
# 住房补贴 is what a card calls 房租补助 and 购房补贴 as well
TOPIC_ONLY = ("rental_housing",)
TOPIC_ALSO = {"housing": {"rent", "purchase"}}


def topics_of(text: str, asked: bool = True) -> set[str]:
    """The subjects a question asks about (``asked``: 住房补贴 asks about renting and buying
    alike), or the subject a benefit's name states (a 居住补贴 is not a 购房补贴)."""
    found = {name for name, words in TOPIC_WORDS.items() if words.search(text)}
    for only in TOPIC_ONLY:
        if only in found:
            return {only}
    for name, also in TOPIC_ALSO.items():
        if asked and name in found:
            found |= also
    return found


def cards_of(computed: list[str]) -> set[str]:
    """The cards a clause is about: those it grants and those whose benefits it computes
    (``sjz.b.rent_subsidy`` is a B卡 benefit)."""
    out = {c for c in computed if c.startswith("card.")}
    for c in computed:
        parts = c.split(".")
        if len(parts) > 2 and parts[1] in ("a", "b", "county"):
            out.add(f"card.{parts[1]}")
    return out


def money_ids(computed: list[str]) -> list[str]:
    """The benefits among a clause's computed ids (not its cards nor their services)."""
    return [c for c in computed if not c.startswith("card.") and ".service." not in c]


# kinds of money the texts name apart from subsidies (a 工作津贴, a loan's 贴息): an amount
# question naming one ranks the clauses naming it first (decision 0373)
MONEY_KINDS_APART = re.compile(r"津贴|贴息")
# a question about services (“B卡的社保服务有哪些”), not money (decision 0373)
SERVICES_ASKED = re.compile(r"服务(?!中心|平台|站|机构|窗口|期)")


def services_only(clause: Clause) -> bool:
    """Whether every grant of the clause is a card's service item (“…（服务项目）”)."""
    return bool(clause.grants) and all("服务项目" in g for g in clause.grants)


# a numbered class (“II类新药”, “二类医疗器械”): the texts number new drugs in Roman numerals
CLASS_NUMBERS = re.compile(r"(?<![a-z])(iii|ii|i)\s*类|([一二三])类")
ROMAN = {"一": "i", "二": "ii", "三": "iii"}


def classes_named(text: str) -> set[str]:
    """The numbered classes a text names, in Roman numerals (“II类” and “二类” alike)."""
    return {m.group(1) or ROMAN[m.group(2)] for m in CLASS_NUMBERS.finditer(text.lower())}
