"""云骥: answer a question in Simplified Chinese, citing the clauses it rests on.

A question is normalised (Traditional → Simplified, abbreviations, typos), routed to an intent,
its facts read into slots, and the clause index searched. Every amount, age limit, duration and
eligibility in an answer comes from the calculator (``rencai.policy.calculator.entitlements``)
on the date asked; the clause is quoted verbatim from the library; procedures (department,
working days, 公示) come from ``rencai.policy.procedures``. When the question is outside the three
cities' talent policies, or no clause is found with enough confidence, the answer says so and
points to the office: it never invents a clause or an amount.

This module answers; what a question asks is read by ``intents`` (the kind of question),
``subjects`` (what it is about), ``funding`` (who pays), ``counts`` (how many) and ``scope``
(whether the library may answer it); ``ranking`` orders the clauses found and ``answers`` holds
what every answer is made of.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from rencai import clock
from rencai.assistant import slots as slotting
from rencai.assistant.answers import (
    ANY_OFFICE,
    OFFICES,
    Amount,
    Answer,
    Intent,
    amount_phrase,
    cite,
    city_name,
    entries_of,
    program_name,
    program_summary,
    refusal,
    source_of,
)
from rencai.assistant.counts import (
    COUNT_ASKED,
    COUNT_CONDITION,
    COUNT_KINDS,
    QUOTA_ASKED,
    count_stated,
)
from rencai.assistant.funding import FUNDING_ASKED, FUNDING_WORDS, funding_answer
from rencai.assistant.index import Clause, ClauseIndex, Hit, clause_index
from rencai.assistant.intents import (
    AMOUNT_WORDS,
    CONDITION_ASKED,
    DOCUMENT_NUMBER,
    DURATION_ASKED,
    MATERIAL_WORDS,
    MONEY_WORDS,
    SET_BY,
    STACKING,
    WHO_SETS,
    WHOLE_DOCUMENT,
    route,
)
from rencai.assistant.ranking import dedupe, focus, search
from rencai.assistant.scope import (
    BENEFIT_TAX,
    DOMAIN_HINT,
    LOST_CARD,
    LOST_WORDS,
    MIN_COVERAGE,
    MIN_SCORE,
    MIN_SCORE_CITY,
    MIN_SCORE_UNHINTED,
    MONEY_NAMED,
    OFF_TOPIC,
    OTHER_PLACES,
    OTHER_PLACES_OWN,
    mentioned,
    shown_words,
    unnamed_money,
)
from rencai.assistant.slots import DEGREE_LABELS, Slots
from rencai.assistant.subjects import (
    CARD_SERVICE_TERMS,
    CARD_SERVICE_WORDS,
    CARD_WORDS,
    STAND_INS,
    SUBJECT_LABELS,
    TOPIC_WORDS,
    cards_of,
    money_ids,
    topics_of,
)
from rencai.assistant.text import expand, normalise, to_simplified
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.procedures import DEPARTMENTS, procedures

__all__ = ["MAX_QUESTION", "Answer", "QuestionError", "ask", "warm"]

MAX_QUESTION = 300

# a sum of money as the texts write one (“2万元”, “1000 万元”, “5%”, “1.5 万元”)
STATED_SUM = re.compile(r"\d[\d.,]*\s*(?:万|亿|千|百)?\s*元|\d\s*%|\d\s*倍")
# a question naming no city is answered per city when another city's clause scores this close
PER_CITY_SHARE = 0.85
CITY_ORDER = ("shijiazhuang", "jinzhou", "cangzhou")


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long): its Chinese message."""


def _compute(slots: Slots, on: dt.date) -> dict[str, Any] | None:
    """The calculator's result for the slots' profile (the same profile is computed once per
    process and date: the rules and dated parameters are read from the library)."""
    return _computed(json.dumps(slotting.profile(slots, on), sort_keys=True), on)


@lru_cache(maxsize=1024)
def _computed(profile: str, on: dt.date) -> dict[str, Any] | None:
    try:
        return entitlements(parse_profile(json.loads(profile)), on)
    except (ProfileError, ValueError):
        return None


@lru_cache(maxsize=8)
def _texts_of(cities: tuple[str, ...]) -> str:
    """All the library holds for these cities, normalised (read once per process)."""
    return " ".join(clause_index().city_text(c) for c in cities)


def warm(on: dt.date | None = None) -> None:
    """Build the clause index and load each computed city's rules (before the first question)."""
    clause_index()
    day = on or clock.today()
    for city in ("shijiazhuang", "jinzhou"):
        _compute(slotting.reference(Slots(jurisdiction=city, degree="master"), day), day)


def _variants(slots: Slots, degree: str, on: dt.date) -> list[Slots]:
    """The reference person with the stated facts and ``degree``; then, when the question does
    not say which school, the same person from a “双一流” university (the B卡 route for masters
    and bachelors), so that a card's amount is shown for one who holds the card."""
    person = slotting.reference(slots, on)
    person.degree = degree
    out = [person]
    if not slots.school_tags and degree in ("master", "bachelor"):
        tagged = slotting.reference(slots, on)
        tagged.degree = degree
        tagged.school_tags = ["double_first_class"]
        out.append(tagged)
    return out


def _engine_amounts(
    targets: list[str], slots: Slots, on: dt.date
) -> tuple[list[Amount], list[dict[str, Any]], list[dict[str, Any]]]:
    """The calculator's amounts of ``targets`` for the person ``slots`` describes (the reference
    person where a fact is unstated); one row per degree when the degree is unstated. Also the
    reasons it grants none, and the targets granted whose amount is still to be set by the
    office (each with the facts tested)."""
    degrees = [slots.degree] if slots.degree else ["doctorate", "master", "bachelor"]
    found: list[Amount] = []
    why_not: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for degree in degrees:
        refused: list[dict[str, Any]] = []
        for person in _variants(slots, degree, on):
            result = _compute(person, on)
            if result is None:
                continue
            rows = [
                Amount(
                    benefit=benefit["id"],
                    name=benefit["name"],
                    amount=str(benefit["amount"]),
                    per=benefit.get("per"),
                    periods=benefit.get("periods"),
                    total=str(benefit["total"]) if benefit.get("total") else None,
                    degree=degree,
                    facts=slotting.describe(person, on),
                    citation=benefit.get("citation") or {},
                )
                for benefit in result.get("benefits", [])
                if benefit["id"] in targets and benefit.get("amount") is not None
            ]
            if rows:
                found += rows
                refused = []
                break
            held = [
                {"facts": slotting.describe(person, on), "slots": person, **item}
                for item in result.get("needs_administrator", [])
                if item.get("benefit") in targets
            ]
            if held:
                pending += held
                refused = []
                break
            refused = [
                {"degree": degree, **item}
                for item in result.get("not_eligible", [])
                if item["id"] in targets
            ]
        why_not += refused
        if pending:
            break  # (the amount open, one person tested is enough)
    return found, why_not, pending


def _process_lines(ix: ClauseIndex, clause: Clause) -> list[str]:
    lines = []
    programs = set(clause.programs) | set(clause.computed)
    proc = procedures(clause.jurisdiction)
    for limit in proc.limits:
        cited = (limit.citation.document, limit.citation.clause) == (clause.document, clause.clause)
        if limit.program in programs or cited:
            days = (
                "即报即批（当日办结）"
                if limit.working_days == 0
                else f"{limit.working_days}个工作日内办结"
            )
            lines.append(f"由{DEPARTMENTS.get(limit.department, limit.department)}办理，{days}。")
    for notice in proc.notices:
        cited = (notice.citation.document, notice.citation.clause) == (
            clause.document,
            clause.clause,
        )
        if notice.program in programs or cited:
            unit = "个工作日" if notice.unit == "working_days" else "天"
            lines.append(f"评审结果公示{notice.days}{unit}。")
    for entry in entries_of(ix, clause):
        if entry.process:
            lines.append(f"办理：{entry.process}")
        if entry.deadlines:
            lines.append(f"时限：{entry.deadlines}")
        if entry.clawback:
            lines.append(f"停发与追回：{entry.clawback}")
        if entry.exclusivity:
            lines.append(f"不可兼得：{entry.exclusivity}")
    # (a catalogue note is a phrase: each is made a sentence of its own)
    return list(dict.fromkeys(line if line[-1:] in "。；！？" else line + "。" for line in lines))


def _terms(ix: ClauseIndex, clause: Clause, text: str, intent: Intent, summary: str) -> list[str]:
    """What the program's summary leaves out and the question asks: its conditions for a question
    about who may have it, a selection's quota, its standards (amounts, durations) for an amount
    question."""
    entries = entries_of(ix, clause)
    flat = re.sub(r"\s+", "", summary)

    def untold(items: Iterable[str]) -> list[str]:
        return [i for i in dict.fromkeys(items) if re.sub(r"\s+", "", i) not in flat]

    lines = []
    if intent in ("eligibility", "information") and CONDITION_ASKED.search(text):
        conditions = untold(c for e in entries for c in e.conditions)
        if conditions:
            lines.append("条件：" + "；".join(conditions) + "。")
    if QUOTA_ASKED.search(text):
        quotas = untold(e.quota for e in entries if e.quota)
        if quotas:
            lines.append("名额：" + "；".join(quotas) + "。")
    if intent == "amount" or DURATION_ASKED.search(text):
        # (a standard whose every figure the summary already states adds nothing; a term asked
        # of something that is not money, “培养期限最长几年”, is among the standards too)
        figures = set(re.findall(r"\d+(?:\.\d+)?", summary))
        standards = [
            a
            for a in untold(a for e in entries for a in e.amounts)
            if not set(re.findall(r"\d+(?:\.\d+)?", a)) <= figures
        ]
        if standards:
            lines.append("标准：" + "；".join(standards) + "。")
    return lines


ASK_BACK = {
    "jurisdiction": "请问您在哪个城市工作或打算去哪个城市（石家庄、锦州、沧州）？",
    "degree": "请问您的最高学历是什么（博士、硕士、本科或大专）？",
    "age": "请问您今年多大（周岁），或哪一年出生？",
    "county": "请问您在哪个县（市、区）工作（例如长安区、正定县）？",
    "employer_type": "请问您在什么类型的单位工作（企业、事业单位、机关，或自主创业）？",
}
# the county asked back names the asker's own city's counties as examples
COUNTY_EXAMPLES = {"jinzhou": "古塔区、凌海市"}


def _ask_back(need: str, slots: Slots) -> str:
    examples = COUNTY_EXAMPLES.get(slots.jurisdiction or "")
    if need == "county" and examples:
        return f"请问您在哪个县（市、区）工作（例如{examples}）？"
    return ASK_BACK[need]


def _missing(slots: Slots) -> str | None:
    if slots.jurisdiction is None:
        return "jurisdiction"
    if slots.jurisdiction == "cangzhou":
        return None  # nothing computed: the catalogue answers
    if slots.degree is None:
        return "degree"
    if slots.age is None and slots.birth_year is None:
        return "age"
    if slots.county is None:
        return "county"
    if slots.employer_type is None:
        return "employer_type"
    return None


def _personal(question: str, slots: Slots, on: dt.date, ix: ClauseIndex, hits: list[Hit]) -> Answer:
    answer = Answer(
        question=question,
        answer="",
        intent="personal",
        jurisdiction=slots.jurisdiction,
        on=on.isoformat(),
        slots=slots.as_dict(),
        confidence=1.0,
    )
    if (need := _missing(slots)) is not None:
        prompt = _ask_back(need, slots)
        answer.ask = {"slot": need, "question": prompt}
        answer.answer = "为了按政策为您测算，还需要了解一项情况：" + prompt
        answer.citations = [cite(h.clause) for h in hits[:3]]
        return answer
    answer.calculator_url = slotting.calculator_link(slots, on)
    if slots.jurisdiction == "cangzhou":
        answer.answer = (
            "沧州市的人才政策文件未载明可据以计算的具体条件和金额，相关待遇由主管部门认定。"
            f"建议咨询{OFFICES['cangzhou']}。"
        )
        answer.citations = [cite(h.clause) for h in hits[:3]]
        return answer
    result = _compute(slots, on)
    if result is None:
        return refusal(question, "personal", on, slots.jurisdiction, "按您所述情况暂时无法测算。")
    facts = slotting.describe(slots, on)
    lines = [f"按{on.isoformat()}施行的政策，以“{facts}”测算："]
    cards = [c["name"] for c in result.get("cards", [])]
    if cards:
        lines.append("可申领：" + "、".join(cards) + "。")
    for card in result.get("cards", []):
        because = [slotting.as_stated(r, slots) for r in card["because"]]
        answer.eligibility.append(
            {"id": card["id"], "name": card["name"], "eligible": True, "because": because}
        )
    for item in result.get("not_eligible", []):
        if item["id"].startswith("card."):
            answer.eligibility.append(
                {
                    "id": item["id"],
                    "name": item["name"],
                    "eligible": False,
                    "because": item["why_not"],
                }
            )
    citations: list[tuple[bool, dict[str, Any]]] = []
    asked = topics_of(normalise(question))
    for benefit in result.get("benefits", []):
        if benefit.get("amount") is None:
            continue
        amount = Amount(
            benefit=benefit["id"],
            name=benefit["name"],
            amount=str(benefit["amount"]),
            per=benefit.get("per"),
            periods=benefit.get("periods"),
            total=str(benefit["total"]) if benefit.get("total") else None,
            degree=slots.degree,
            facts=facts,
            citation=benefit.get("citation") or {},
        )
        answer.amounts.append(amount)
        lines.append(amount_phrase(amount) + "；")
        clause = _clause_for(ix, benefit["id"])
        if clause is not None:
            citations.append((bool(topics_of(benefit["name"]) & asked), cite(clause)))
    services = [b["name"] for b in result.get("benefits", []) if b.get("amount") is None]
    if services:
        lines.append("另可享受" + "、".join(dict.fromkeys(services)) + "等服务。")
    if not cards and not answer.amounts:
        lines.append("按所述情况，暂未测算出可享受的人才卡或资金补贴。")
        money = [
            item
            for item in result.get("not_eligible", [])
            if _clause_for(ix, item["id"]) is not None and not item["id"].startswith("card.")
        ]
        for item in money[:3]:
            lines.append(f"{item['name']}：{'；'.join(item['why_not'])}。")
    needs = [n["name"] for n in result.get("needs_information", [])]
    if needs:
        lines.append("以下项目还需补充情况才能判断：" + "、".join(needs[:4]) + "。")
    lines.append("如有信息不准，请点“在计算器中修改”核对。")
    answer.answer = "".join(lines)
    # the benefit the question asks about (“能拿多少安家费”) rests on its own clause: first
    ordered = [c for _, c in sorted(citations, key=lambda pair: not pair[0])]
    seen: set[tuple[str, str]] = set()
    for c in ordered + [cite(h.clause) for h in hits[:2]]:
        key = (str(c["document"]), str(c["clause"]))
        if key not in seen:
            seen.add(key)
            answer.citations.append(c)
    return answer


def _card_checks(
    ix: ClauseIndex, clause: Clause, slots: Slots, on: dt.date, answer: Answer
) -> list[str]:
    """For a card's clause: the calculator's verdict on the card for the person the question
    describes (the reference person of decision 0149, a doctor when no degree is stated), with
    the engine's reasons — the age limit and category as the dated parameters set them."""
    cards = [
        c
        for c in ix.computed_by_clause.get((clause.document, clause.clause), [])
        if c.startswith("card.")
    ]
    if not cards or clause.jurisdiction not in ("shijiazhuang", "jinzhou"):
        return []
    person = slotting.reference(slots, on)
    person.degree = slots.degree or "doctorate"
    result = _compute(person, on)
    if result is None:
        return []
    facts = slotting.describe(person, on)
    lines = []
    for card in result.get("cards", []):
        if card["id"] in cards:
            reasons = [slotting.as_stated(r, person) for r in card["because"]]
            answer.eligibility.append(
                {"id": card["id"], "name": card["name"], "eligible": True, "because": reasons}
            )
            lines.append(f"按“{facts}”测算，可申领{card['name']}：{'；'.join(reasons)}。")
    for item in result.get("not_eligible", []):
        if item["id"] in cards:
            why = "；".join(item["why_not"])
            answer.eligibility.append(
                {
                    "id": item["id"],
                    "name": item["name"],
                    "eligible": False,
                    "because": item["why_not"],
                }
            )
            lines.append(f"按“{facts}”测算，不能申领{item['name']}：{why}。")
    if lines:
        answer.calculator_url = slotting.calculator_link(person, on)
    return lines


def _clause_cited(ix: ClauseIndex, citation: dict[str, Any]) -> Clause | None:
    """The library's clause a calculator citation quotes (the one whose quote holds it)."""
    same = [
        c
        for c in ix.clauses
        if c.document == citation.get("document") and c.clause == citation.get("clause")
    ]
    quoted = "".join(str(citation.get("quote") or "").split())
    for c in same:
        theirs = "".join(c.quote.split())
        if quoted and (quoted in theirs or theirs in quoted):
            return c
    return same[0] if same else None


def _clause_for(ix: ClauseIndex, benefit: str) -> Clause | None:
    for clause in ix.clauses:
        if benefit in clause.computed:
            return clause
    return None


def ask(
    question: str,
    on: dt.date | None = None,
    jurisdiction: str | None = None,
    earlier: dict[str, Any] | None = None,
    cases: Callable[[str], Answer] | None = None,
    materials: Callable[[str], list[str]] | None = None,
) -> Answer:
    """The answer to one question (``earlier``: slots carried from the previous turn; ``cases``:
    answers a case question from the asker's own records, when the asker is known;
    ``materials``: the administrator's list of materials for a program, where one is set)."""
    day = on or clock.today()
    raw = (question or "").strip()
    if not raw:
        raise QuestionError("请输入问题")
    if len(raw) > MAX_QUESTION:
        raise QuestionError(f"问题过长（不超过{MAX_QUESTION}个字）")
    text = normalise(raw)
    # a date the question names (“2020年的时候”) wins over the date of asking
    day = slotting.asked_date(text, day) or day
    ix = clause_index()
    stated = slotting.fill(text, day)
    if jurisdiction and stated.jurisdiction and stated.jurisdiction != jurisdiction:
        pass  # the question names its city: it wins over the page's choice
    elif jurisdiction:
        stated.jurisdiction = jurisdiction
    carried = Slots.from_dict(earlier) if earlier else None
    slots = stated.merged(carried)
    city = slots.jurisdiction
    intent = route(text)
    if (
        carried is not None
        and intent in ("information", "amount", "eligibility")
        and len(text) <= 20
        and stated.as_dict()
    ):
        # an answer to a fact asked back (“硕士”, “30岁”) continues the personal calculation
        intent = "personal"

    # outside the three cities' policies
    # (a certification abroad, “通过美国认证”, is a clause of the library, not another place's
    # policy; another place's own card or policy is, whatever city is named beside it)
    other = [p for p in OTHER_PLACES if re.search(re.escape(p) + r"(?![^，。]{0,8}认证)", text)]
    owned = [p for p in other if re.search(re.escape(p) + OTHER_PLACES_OWN, text)]
    if other and (owned or not (city and any(w in text for w in slotting.CITY_WORDS[city]))):
        return refusal(
            raw,
            "out_of_scope",
            day,
            None,
            f"本平台只收录石家庄、锦州、沧州三市的人才政策，没有{other[0]}的政策依据，无法回答。",
        )
    if OFF_TOPIC.search(text) and not re.search(r"人才|绿卡|补贴|安家|房租", text):
        return refusal(
            raw,
            "out_of_scope",
            day,
            city,
            "这个问题不属于人才政策咨询范围，本平台的政策库中没有相关条款。",
        )
    if BENEFIT_TAX.search(text):
        return refusal(
            raw,
            intent,
            day,
            city,
            "人才政策文件规定的是补贴、奖励的标准和条件，没有规定其是否缴纳个人所得税，"
            "以税务部门的答复为准。",
        )
    if intent == "case_status" and cases is not None:
        return cases(raw)
    if intent == "case_status":
        return Answer(
            question=raw,
            answer="查询本人申请进度和补贴发放情况，请先登录；登录后可以直接问“我的申请到哪一步了”。",
            intent="case_status",
            jurisdiction=city,
            on=day.isoformat(),
            confidence=1.0,
        )

    named_cards = {card for word, card in CARD_WORDS.items() if word in text}
    searched = text
    if named_cards and CARD_SERVICE_WORDS.search(text):
        searched = text + " " + CARD_SERVICE_TERMS
    # (a card named: deeper, so that the card's own clauses are among the hits ranked)
    hits, coverage, words = search(ix, searched, city, k=40 if named_cards else 8)
    # a question naming a 文号 of the library is about that document
    names_document = any(w.startswith("§") and w in ix.vocabulary for w in words)
    # …and one naming a program of the library (“人才贷”, “石家庄工匠”) is about that program
    bare = re.sub(r"[\W_]+", "", text)
    # (a program of another city than the one asked about does not count)
    words_here = [
        w for w in ix.program_words if city is None or city in ix.program_word_cities.get(w, ())
    ]
    names_program = any(w in text for w in words_here) or (
        len(bare) >= 3 and any(bare in w for w in words_here)
    )
    hits = focus(dedupe(hits), intent, text, day)
    if names_document and WHOLE_DOCUMENT.fullmatch(DOCUMENT_NUMBER.sub("", text)):
        # a question about a whole document (“石办字〔2017〕39号讲的啥”): the clause covering
        # all its items first
        named_documents = {w[1:] for w in words if w.startswith("§")}
        hits = sorted(
            hits,
            key=lambda h: not (h.clause.document in named_documents and "—" in h.clause.clause),
        )
    top = hits[0].score if hits else 0.0
    if intent == "personal" or (carried is not None and intent != "process"):
        return _personal(raw, slots, day, ix, hits)
    hinted = bool(DOMAIN_HINT.search(text))
    confident = (
        names_document
        or names_program
        or (
            bool(hits)
            and top >= (MIN_SCORE_CITY if stated.jurisdiction else MIN_SCORE)
            and coverage >= MIN_COVERAGE
            and (hinted or top >= MIN_SCORE_UNHINTED)
        )
    )
    if not confident:
        return refusal(
            raw,
            intent if hinted else "out_of_scope",
            day,
            city,
            "政策库中没有找到能够回答这个问题的条款。",
            confidence=top,
        )
    # a program only other cities have (“锦州人才公寓”), which the city's texts do not mention
    # in any word of theirs: the city's texts do not answer it
    elsewhere = [
        w
        for w in ix.program_words
        if len(w) >= 4 and w in text and city and city not in ix.program_word_cities.get(w, ())
    ]
    # …as a subject that is a program of its own (保租房), or a kind of money (购房, 安家), the
    # city's texts never name (decision 0361)
    # …unless the texts name another in its place: a graduate renting in Jinzhou is paid its
    # 居住补贴 (decision 0372)
    stand_in: dict[str, str] = {}
    for subject in topics_of(text, asked=False) if city else set():
        asked = TOPIC_WORDS[subject].search(text)
        if asked and not TOPIC_WORDS[subject].search(ix.city_text(city or "")):
            instead = STAND_INS.get(subject)
            if instead and TOPIC_WORDS[instead].search(ix.city_text(city or "")):
                stand_in[subject] = instead
            else:
                elsewhere.append(asked.group(0))
    # (another city's program of that subject, “租房补贴”, is then answered by it too)
    elsewhere = [
        w for w in elsewhere if not any(TOPIC_WORDS[subject].search(w) for subject in stand_in)
    ]
    # a kind of money named by its purpose (“买车补贴”), and a lost card's replacement, that the
    # city's texts never name (decision 0374)
    # (the texts are read only when the question names such a thing)
    cities = [city] if city else list(CITY_ORDER)
    subjects = [m.group(0) for w in TOPIC_WORDS.values() for m in w.finditer(text)]
    unnamed = None
    if not subjects and MONEY_NAMED.search(text):
        unnamed = unnamed_money(text, _texts_of(tuple(cities)), set(words), expand)
    lost = LOST_CARD.search(text) and not any(LOST_WORDS.search(ix.city_text(c)) for c in cities)
    if (unnamed or lost) and not names_document:
        where = city_name(city) if city else "本平台收录"
        what = f"“{unnamed}”" if unnamed else "人才绿卡等证件遗失补办"
        return refusal(
            raw, intent, day, city, f"{where}的政策文件中没有关于{what}的规定。", confidence=top
        )
    if city and city != "shijiazhuang" and not names_program:
        elsewhere += [w for w in CARD_WORDS if w in text]  # the cards are Shijiazhuang's
    # (a program of the city named counts only where it is what is asked about: “高层次人才”
    # beside “个人所得税” does not make the tax reward one of Cangzhou's)
    found_here = [w for w in words_here if w in text]
    if city and elsewhere and (found_here or not names_program) and not names_document:
        here = ix.city_text(city)
        missing = [
            w
            for w in elsewhere
            if not any(w in f or f in w for f in found_here)
            and (
                w not in here
                if w in CARD_WORDS
                else not any(mentioned(x, here) for x in expand(w).split())
            )
        ]
        if missing:
            return refusal(
                raw,
                intent,
                day,
                city,
                f"{city_name(city)}的政策文件中没有关于“{shown_words(missing)}”的规定。",
                confidence=top,
            )
    # no city named, and clauses of several cities answer alike: each city's, 石家庄 first
    # (decision 0305)
    other_cities: list[Hit] = []
    if stated.jurisdiction is None and carried is None and intent in ("process", "information"):
        firsts: dict[str, Hit] = {}
        for h in hits:
            if h.score >= PER_CITY_SHARE * top:
                firsts.setdefault(h.clause.jurisdiction, h)
        if len(firsts) > 1:
            ordered = [firsts[c] for c in CITY_ORDER if c in firsts]
            hits = ordered + [h for h in hits if h not in ordered]
            other_cities = ordered[1:]
    if FUNDING_ASKED.search(text):
        # (the program is searched without the words asking who pays: “钱”, “哪里来”)
        about = FUNDING_WORDS.sub(" ", text)
        program_hits, _, _ = search(ix, about, city, k=8)
        ranked = focus(dedupe(program_hits), route(about), about, day)
        return funding_answer(raw, ix, ranked or hits, city, day, slots)
    count = COUNT_ASKED.search(text)
    if (
        count is not None
        and not COUNT_CONDITION.search(text)
        and not count_stated(ix, hits[0].clause, COUNT_KINDS.get(count.group("what") or ""))
    ):
        # how many people: where the texts state no number, they are not made to say one
        name = program_name(ix, hits[0].clause)
        return refusal(
            raw,
            intent,
            day,
            city or hits[0].clause.jurisdiction,
            f"政策文件没有规定或公布{name}的数量（人数、名额）。",
            confidence=top,
        )
    best = hits[0].clause
    answer = Answer(
        question=raw,
        answer="",
        intent=intent,
        jurisdiction=city or best.jurisdiction,
        on=day.isoformat(),
        confidence=top,
        slots=slots.as_dict(),
        citations=[cite(h.clause) for h in hits[:3]],
    )
    source, quote, validity = source_of(best, day)

    if intent == "eligibility" and STACKING.search(text):
        rules = [
            (e.exclusivity, e.name, ix.entry_clause[e.id])
            for h in hits[:3]
            for e in entries_of(ix, h.clause)
            if e.exclusivity
        ]
        if rules:
            first = rules[0][2]
            cited = [first] + [h.clause for h in hits if h.clause is not first]
            answer.citations = [cite(c) for c in cited[:3]]
            source, quote, validity = source_of(first, day)
            shown = "；".join(dict.fromkeys(f"{name}：{rule}" for rule, name, _ in rules))
            answer.answer = f"关于能否同时享受，政策规定——{shown}。{source}。{quote}{validity}"
            return answer
        # no text says whether they stack: the answer says so rather than leave it unsaid
        office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
        answer.office = office
        answer.answer = (
            f"{source}：{program_summary(ix, best).rstrip('。')}。"
            f"政策文件未载明该项目能否与其他项目同时享受，以主管部门答复为准，可咨询{office}。"
            f"{quote}{validity}"
        )
        return answer
    if intent in ("amount", "eligibility") and (
        intent == "amount" or slots.degree or AMOUNT_WORDS.search(text)
    ):
        named_cards = {card for word, card in CARD_WORDS.items() if word in text}
        amounts: list[Amount] = []
        why_not: list[dict[str, Any]] = []
        why_not_hit: Hit | None = None
        pending: list[dict[str, Any]] = []
        chosen: Hit | None = None
        money_first = False
        topics = {stand_in.get(t, t) for t in topics_of(text)}
        note = "".join(
            f"{city_name(city)}的政策文件中没有专门的{SUBJECT_LABELS[asked]}，"
            f"与之相应的是{SUBJECT_LABELS[instead]}（文件未以租房为条件）。"
            for asked, instead in stand_in.items()
        )
        tied = len(hits) > 1 and hits[1].score >= 0.9 * hits[0].score
        # the best clause is about the subject asked and the calculator computes none of it (the
        # 200万元 安家补助 of the 2023 measures): its own standard answers, not another
        # program's amount (decision 0362)
        first = hits[0].clause
        first_decides = (
            bool(topics)
            and not money_ids(ix.computed_by_clause.get((first.document, first.clause), []))
            and bool(topics_of(" ".join(first.grants), asked=False) & topics)
        )
        for rank, hit in enumerate(hits[:3]):
            if rank and first_decides:
                break
            computed = ix.computed_by_clause.get((hit.clause.document, hit.clause.clause), [])
            if not computed or hit.clause.jurisdiction not in ("shijiazhuang", "jinzhou"):
                continue
            amounts, refused, held = _engine_amounts(computed, slots, day)
            if len(named_cards) == 1:
                # a card the question names (“县卡持卡人…”): that card's amounts, not another's
                amounts = [a for a in amounts if cards_of([a.benefit]) in (set(), named_cards)]
                held = [h for h in held if cards_of([h["benefit"]]) in (set(), named_cards)]
            if topics:
                # an amount answers only about what the question asks (房租, 创业 …)
                amounts = [a for a in amounts if topics_of(a.name, asked=False) & topics]
                refused = [
                    r for r in refused if topics_of(str(r.get("name", "")), asked=False) & topics
                ]
                held = [h for h in held if topics_of(str(h.get("name", "")), asked=False) & topics]
            elif rank and hit.score < 0.8 * hits[0].score:
                # …and a far weaker match does not answer at all
                amounts, refused, held = [], [], []
            if rank == 0 and held and not amounts:
                # the best clause grants this person the benefit, its amount still to be set by
                # the office: the person is told so, not refused nor given another's amount
                pending, chosen = held, hit
                break
            if rank == 0:
                money_first = bool(money_ids(computed))
            if refused and not why_not and (rank == 0 or (topics and not money_first)):
                # a lower clause's reasons count only when it is about what the question asks
                why_not, why_not_hit = refused, hit
            if amounts or (rank == 0 and money_ids(computed) and not tied):
                # the best clause computing money decides (unless the next is as good a match):
                # a person it does not pay is told why, not given another program's amount
                chosen = hit if amounts else None
                if not amounts:
                    why_not, why_not_hit = refused, (hit if refused else None)
                break
        resting = chosen or why_not_hit
        if amounts and resting is not None and len(named_cards) == 1:
            # …resting, when the clause found computes several cards' amounts (one program for
            # the B卡 and the county card), on the clause the calculator cites for that card's
            own = _clause_cited(ix, amounts[0].citation)
            shared = len(cards_of(resting.clause.computed)) > 1
            if own is not None and shared and own is not resting.clause:
                resting = Hit(own, resting.score)
        if resting is not None and resting.clause is not best:
            # the answer rests on the clause the amount (or the reason) comes from: cited first
            best = resting.clause
            order = [resting] + [h for h in hits if h.clause is not resting.clause]
            answer.citations = [cite(h.clause) for h in order[:3]]
            source, quote, validity = source_of(best, day)
        if amounts:
            reference = slotting.reference(slots, day)
            reference.degree = slots.degree
            answer.amounts = amounts
            answer.calculator_url = slotting.calculator_link(reference, day)
            lines = [f"按{day.isoformat()}施行的政策，经政策计算器测算："]
            for a in amounts:
                who = DEGREE_LABELS.get(a.degree or "", "")
                lines.append(f"{who}：{amount_phrase(a)}；" if who else f"{amount_phrase(a)}；")
            lines.append(f"测算按“{amounts[0].facts}”的情形，")
            lines.append("具体以本人条件和审核为准，可点“在计算器中修改”按实际情况测算。")
            if intent == "eligibility":
                summary = program_summary(ix, best)
                if summary:
                    lines.append(f"条件：{summary}")
            answer.answer = note + "".join(lines) + f"{source}。{quote}{validity}"
            return answer
        if pending:
            item = pending[0]
            person = item["slots"]
            answer.calculator_url = slotting.calculator_link(person, day)
            entry = ix.catalogue.entries.get(str(item["benefit"]))
            standard = entry.summary if entry is not None else program_summary(ix, best)
            office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
            answer.office = office
            answer.answer = (
                note
                + f"{source}：{standard}"
                + ("" if standard.endswith("。") else "。")
                + f"按{day.isoformat()}施行的政策，以“{item['facts']}”测算，"
                + f"可享受{item['name']}（{item['condition']}），"
                + f"{item['note']}，请向{office}咨询。"
                + f"{quote}{validity}"
            )
            return answer
        if why_not and (slots.degree or intent == "amount"):
            reasons = "；".join(
                dict.fromkeys(str(r) for item in why_not for r in item.get("why_not", []))
            )
            answer.eligibility = [
                {"id": w["id"], "name": w["name"], "eligible": False, "because": w["why_not"]}
                for w in why_not
            ]
            person = slotting.reference(slots, day)
            person.degree = slots.degree or str(why_not[0].get("degree") or "doctorate")
            facts = slotting.describe(person, day)
            summary = program_summary(ix, best)
            answer.calculator_url = slotting.calculator_link(person, day)
            answer.answer = (
                note
                + f"{source}：{summary}"
                + ("" if summary.endswith("。") else "。")
                + f"按{day.isoformat()}的政策，以“{facts}”测算，不能享受：{reasons}。"
                + f"{quote}{validity}"
            )
            return answer
        summary = program_summary(ix, best)
        lines = [f"{source}：{summary}", *_terms(ix, best, text, intent, summary)]
        if intent == "eligibility":
            lines += _card_checks(ix, best, slots, day, answer)
        if intent == "amount" and not COUNT_ASKED.search(text):
            # (a clause and program stating no sum at all say so: “落实安家费…支持政策”)
            standards = [a for e in entries_of(ix, best) for a in e.amounts]
            written = " ".join([best.quote, summary, *standards])
            if STATED_SUM.search(written) or not MONEY_WORDS.search(text):
                lines.append("该项金额以条款原文为准，本平台未按个人情况计算。")
            else:
                office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
                lines.append(f"政策文件未载明该项的具体金额，以主管部门答复为准，可咨询{office}。")
        answer.answer = note + "".join(lines) + quote + validity
        return answer
    if intent == "process":
        steps = _process_lines(ix, best)
        if MATERIAL_WORDS.search(text):
            listed = {p: materials(p) for p in best.computed} if materials else {}
            found = {p: items for p, items in listed.items() if items}
            if found:
                steps = [
                    f"申请时需提交：{'、'.join(items)}（主管部门设定的材料清单）。"
                    for items in found.values()
                ] + steps
            else:
                steps.append("政策文件未载明申请材料，以主管部门公布的办事指南为准。")
        body = "".join(steps) if steps else program_summary(ix, best)
        if steps and not any(c.startswith("card.") for c in best.computed):
            # a program's own terms (“满5年后方可交易”) come before its notes; a card's summary is
            # its scope, not the service asked about, and stays out
            body = program_summary(ix, best).rstrip("。") + "。" + body
        tail = "" if steps else "政策文件未载明办理部门和时限的，以主管部门公布的办事指南为准。"
        office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
        answer.office = office
        answer.answer = (
            f"{source}：{body}{tail}{quote}{validity}如需办理，可咨询{office}。"
            + _per_city(ix, best, other_cities, day)
        )
        return answer
    checks = "".join(_card_checks(ix, best, slots, day, answer)) if intent == "eligibility" else ""
    summary = program_summary(ix, best)
    if WHO_SETS.search(text):
        # who sets it (“补贴标准是谁定的”): the clause's sentence saying so, first
        said = to_simplified(best.quote)
        if setter := SET_BY.search(said):
            sentence = next(p for p in re.split(r"[。；]", said) if setter.group(0) in p)
            summary = sentence.strip() + "。" + summary
    terms = "".join(_terms(ix, best, text, intent, summary))
    answer.answer = f"{source}：{summary}{terms}{checks}{quote}{validity}" + _per_city(
        ix, best, other_cities, day
    )
    return answer


def _per_city(ix: ClauseIndex, first: Clause, others: list[Hit], on: dt.date) -> str:
    """What the other cities' texts say, when the question names no city (decision 0305)."""
    if not others:
        return ""
    lines = [f"（问题未指明城市，以上为{city_name(first.jurisdiction)}的规定。）"]
    for hit in others:
        source, quote, validity = source_of(hit.clause, on)
        summary = program_summary(ix, hit.clause).rstrip("。")
        lines.append(
            f"{city_name(hit.clause.jurisdiction)}另有规定——{source}：{summary}。{quote}{validity}"
        )
    return "".join(lines)
