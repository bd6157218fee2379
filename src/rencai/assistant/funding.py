"""Who pays (decision 0332): the ways of asking it (“谁出钱”, “资金从哪里来”, “是市里出还是区里出”),
the words taken out before the program is searched, and the answer from the program's
``funding``, in the text's own words, with the clause saying so."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rencai.assistant.answers import (
    ANY_OFFICE,
    OFFICES,
    Answer,
    cite,
    entries_of,
    program_summary,
    source_of,
)
from rencai.assistant.index import ClauseIndex, Hit
from rencai.assistant.slots import Slots
from rencai.assistant.text import to_simplified
from rencai.policy.catalogue import Entry
from rencai.policy.citations import clause_heading

# who pays (“谁出钱”, “资金从哪里来”, “由谁承担”, “钱是哪出的”): the program's funding
FUNDING_ASKED = re.compile(
    r"谁(?:来)?(?:出钱|出资|掏钱|买单|承担|负担|支付|拨付|给钱|保障|出)|"
    r"由谁(?:来)?(?:承担|负担|出|支付|拨付|列支|保障)|"
    r"(?:钱|资金|经费|奖金|补贴|补助|奖励|津贴)[^，。]{0,4}(?:从)?(?:哪里|哪儿|哪)(?:来|出|列支|拨|支出)|"
    r"资金来源|经费来源|(?:哪|哪一)级财政|哪个财政|(?:财政|政府|单位|企业)(?:出|给|承担)(?:钱)?还是|"
    r"(?:用不用|要不要|需不需要)(?:企业|单位|自己)(?:出钱|出资|承担)|"
    r"哪(?:个|一)?(?:部门|单位|级)(?:来)?(?:出钱|出资|承担|负担|出)|"
    # “是市里出还是区里出”, “县里要承担吗”, “企业自己出吗”
    r"(?:市里|县里|区里|省里|国家|企业|单位|个人|自己)(?:自己)?(?:要|也|来)?"
    r"(?:出钱|出资|掏钱|承担|负担|出)(?:吗|还是|呢|么)"
)
# …and those words alone, taken out of the question before the program is searched
FUNDING_WORDS = re.compile(
    r"(?:的)?(?:钱|资金|经费)?(?:是)?(?:从)?(?:哪里|哪儿|哪)(?:来|出|列支|拨|支出)(?:的)?|"
    r"(?:是)?(?:由)?谁(?:来)?(?:出钱|出资|掏钱|买单|承担|负担|支付|拨付|给钱|保障|出)|"
    r"资金来源|经费来源|(?:哪|哪一)级财政(?:出)?|哪个财政|"
    r"(?:是)?(?:财政|政府|单位|企业)(?:出|给|承担)(?:钱)?还是[^，。]{0,4}|"
    r"(?:用不用|要不要|需不需要)(?:企业|单位|自己)(?:出钱|出资|承担)|"
    r"哪(?:个|一)?(?:部门|单位|级)(?:来)?(?:出钱|出资|承担|负担|出)|"
    r"(?:是)?(?:市里|县里|区里|省里|国家|企业|单位|个人|自己)(?:自己)?(?:要|也|来)?"
    r"(?:出钱|出资|掏钱|承担|负担|出)(?:吗|还是[^，。]{0,5}|呢|么)"
)


def funding_citation(ix: ClauseIndex, entry: Entry) -> dict[str, Any]:
    """The clause saying who pays: the program's own, or the article of the same document that
    says it (a rule's 第二条), cited like every clause."""
    assert entry.funding is not None
    own = ix.entry_clause[entry.id]
    if entry.funding.clause == entry.clause and entry.funding.quote == entry.quote:
        return cite(own)
    data = own.citation()
    if entry.funding.document:
        # (the rules implementing the program: that document's dates, none of its programs)
        document = ix.catalogue.documents[entry.funding.document]
        data["document"] = document.key
        data["document_title"] = document.title
        data["effective"] = document.date.isoformat() if document.date else None
        data["expires"] = document.valid_until.isoformat() if document.valid_until else None
        data["programs"] = []
    data["clause"] = entry.funding.clause
    data["quote"] = entry.funding.quote
    simplified = to_simplified(entry.funding.quote)
    if simplified != entry.funding.quote:
        data["quote_simplified"] = simplified
    return data


def funding_answer(
    question: str, ix: ClauseIndex, hits: list[Hit], city: str | None, on: dt.date, slots: Slots
) -> Answer:
    """Who pays, in the text's own words, with the clause saying so; where the texts name no
    payer for the program found, the answer says so rather than guess."""
    top = max(h.score for h in hits)
    funded = [
        (h, e)
        for h in hits[:5]
        if h.score >= 0.7 * top
        for e in entries_of(ix, h.clause)
        if e.funding is not None
    ]
    answer = Answer(
        question=question,
        answer="",
        intent="information",
        jurisdiction=city or hits[0].clause.jurisdiction,
        on=on.isoformat(),
        confidence=top,
        slots=slots.as_dict(),
    )
    if not funded:
        best = hits[0].clause
        source, quote, validity = source_of(best, on)
        office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
        answer.citations = [cite(h.clause) for h in hits[:3]]
        answer.office = office
        answer.answer = (
            f"{source}：{program_summary(ix, best).rstrip('。')}。"
            f"该条款未载明所需资金由谁承担（资金来源），以主管部门答复为准，可咨询{office}。"
            f"{quote}{validity}"
        )
        return answer
    hit = funded[0][0]
    entries = [e for h, e in funded if h is hit]
    lines = []
    cited = [cite(hit.clause)]
    for entry in entries:
        assert entry.funding is not None
        # (said in another article of the document, or in the rules implementing it: named)
        elsewhere = clause_heading(entry.funding.clause)
        if entry.funding.document:
            elsewhere = f"《{entry.funding.document}》{elsewhere}"
        elif entry.funding.clause == entry.clause:
            elsewhere = ""
        lines.append(
            f"{entry.name}所需资金：{entry.funding.source}"
            + (f"（{elsewhere}规定）" if elsewhere else "")
            + f"，原文：“{to_simplified(entry.funding.quote)}”"
        )
        funding = funding_citation(ix, entry)
        if (funding["clause"], funding["quote"]) not in {(c["clause"], c["quote"]) for c in cited}:
            cited.append(funding)
    source, quote, validity = source_of(hit.clause, on)
    answer.citations = (cited + [cite(h.clause) for h in hits if h is not hit])[:3]
    answer.answer = f"{source}：" + "；".join(dict.fromkeys(lines)) + validity
    return answer
