"""The clauses found for a question, best first: BM25 search within the city asked, then the
ranking by what the question asks (a named card's own clauses, a program's own clause above a
restatement, a person's clause for a person, a current document above an expired one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rencai.assistant.answers import Intent
from rencai.assistant.index import Clause, ClauseIndex, Hit, clause_index
from rencai.assistant.intents import (
    APPLY_WORDS,
    MATERIAL_WORDS,
    MONEY_WORDS,
    SET_BY,
    WHO_ASKED,
    WHO_SETS,
)
from rencai.assistant.subjects import (
    CARD_WORDS,
    GROUP_WORDS,
    MEMBER_WORDS,
    MONEY_KINDS_APART,
    PERSON_WORDS,
    SERVICES_ASKED,
    TEAM_WORDS,
    TOPIC_ONLY,
    UNIT_WORDS,
    cards_of,
    classes_named,
    confined_to,
    for_persons_only,
    for_units_only,
    services_only,
    topics_of,
)
from rencai.assistant.text import expand, to_simplified


def search(
    ix: ClauseIndex, text: str, jurisdiction: str | None, k: int = 8
) -> tuple[list[Hit], float, list[str]]:
    tokens = ix.query_tokens(text)
    words = [t for t in tokens if not t.startswith("#")]
    known = [t for t in words if t in ix.vocabulary]
    coverage = len(set(known)) / len(set(words)) if words else 0.0
    hits = ix.search(tokens, jurisdiction=jurisdiction, k=k)
    return hits, coverage, words


def dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str]] = set()
    out = []
    for hit in hits:
        key = (hit.clause.document, hit.clause.clause)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


def focus(hits: list[Hit], intent: Intent, text: str, on: dt.date) -> list[Hit]:
    """Best first; among near-equal scores, clauses the calculator answers rise for amounts and
    who-may questions, a card's scope (申领范围) rises for who-may and what-to-submit questions,
    and a clause whose document has expired on the date asked falls below a current one."""
    if not hits:
        return hits
    top = hits[0].score
    scope = intent == "eligibility" or bool(MATERIAL_WORDS.search(text) or APPLY_WORDS.search(text))

    named = {card for word, card in CARD_WORDS.items() if word in text}
    # a subject that is a program of its own (保租房: TOPIC_ONLY) names that program's clauses
    subject = topics_of(text) & set(TOPIC_ONLY)

    person = bool(PERSON_WORDS.search(text)) and not UNIT_WORDS.search(text)
    # …and one about a team or a platform, not a person (“科技人才团队在锦州创业”)
    team = bool(TEAM_WORDS.search(text)) and not (
        PERSON_WORDS.search(text) or MEMBER_WORDS.search(text)
    )
    # a group the question names (“残疾青年”): a program confined to another group ranks lower
    groups = set(GROUP_WORDS.findall(text))
    # services asked, not money (“B卡的社保服务有哪些”): a card's service items rise; a kind of
    # money named apart (“津贴”): an amount clause not naming it falls; a program the question
    # names whole (“技能等级证书”, 职业技能等级证书) when asking who acts: its clause rises
    # (decision 0373)
    services = bool(SERVICES_ASKED.search(text)) and not MONEY_WORDS.search(text)
    kinds = set(MONEY_KINDS_APART.findall(text)) if intent == "amount" else set()
    expanded = expand(text)
    who = bool(WHO_ASKED.search(text))
    # who sets a standard: the clause saying by whom it is set (decision 0381)
    sets = bool(WHO_SETS.search(text))
    # a numbered class asked (“II类新药”): the clause whose own grant names that class first
    asked_classes = classes_named(text)

    def other_class(h: Hit) -> bool:
        granted = set().union(*(classes_named(g) for g in h.clause.grants))
        return bool(asked_classes and granted) and not granted & asked_classes

    def names_kind(h: Hit) -> bool:
        said = to_simplified(h.clause.quote) + " ".join(h.clause.grants)
        return any(k in said for k in kinds)

    def says_who_sets(h: Hit) -> bool:
        return sets and bool(SET_BY.search(to_simplified(h.clause.quote)))

    # (…which answers it in place of the clause of the thing named whole)
    setters = {id(h) for h in hits if h.score >= 0.85 * top and says_who_sets(h)}

    def named_whole(h: Hit) -> bool:
        return (
            who
            and not setters
            and any(len(g) >= 4 and g.lower() in expanded for g in h.clause.grants)
        )

    def bonus(h: Hit) -> float:
        expired = h.clause.expires is not None and h.clause.expires < on
        for_units = person and for_units_only(h.clause)
        for_persons = team and for_persons_only(h.clause)
        # a clause about another card than the one the question names (the 副卡's services when
        # the B卡's are asked) ranks below the named card's own
        cards = cards_of(h.clause.computed)
        other_card = len(named) == 1 and bool(cards) and not cards & named
        confined = confined_to(h.clause) - groups
        return (
            base(h)
            - (0.05 * top if expired else 0.0)
            - (0.3 * top if for_units or for_persons else 0.0)
            - (0.15 * top if other_card else 0.0)
            - (0.15 * top if confined else 0.0)
            + (0.15 * top if services and h.score > 0.6 * top and services_only(h.clause) else 0.0)
            - (0.15 * top if kinds and h.score > 0.75 * top and not names_kind(h) else 0.0)
            + (0.1 * top if h.score >= 0.9 * top and named_whole(h) else 0.0)
            + (0.1 * top if id(h) in setters else 0.0)
            - (0.1 * top if h.score >= 0.8 * top and other_class(h) else 0.0)
        )

    def base(h: Hit) -> float:
        # (for an amount, a clause computing one of the card's benefits is the card's own)
        own = cards_of(h.clause.computed) if intent == "amount" else set(h.clause.computed)
        if len(named) == 1 and h.score > 0.6 * top and named <= own:
            # the card the question names: its own clauses first
            return 0.2 * top + (
                0.15 * top if scope and h.clause.clause.startswith("申领范围") else 0
            )
        if subject and h.score > 0.5 * top and subject & topics_of(" ".join(h.clause.grants)):
            # (who may have it is answered by the program's admission clauses, 准入)
            admission = scope and any("准入" in g for g in h.clause.grants)
            return (
                0.2 * top
                + (0.08 * top if intent == "amount" and h.clause.computed else 0)
                + (0.15 * top if admission else 0)
            )
        if h.score <= 0.8 * top:
            return 0.0
        if intent in ("amount", "personal", "eligibility") and h.clause.computed:
            return 0.08 * top
        if scope and h.clause.clause.startswith("申领范围"):
            return 0.15 * top
        if intent == "process" and has_process_notes(h.clause):
            # how a program is applied for is answered where its procedure is written
            return 0.15 * top
        return 0.0

    # (a clause saying who sets the standard asked about answers it, not a restatement)
    return own_first(
        sorted(hits, key=lambda h: -(h.score + bonus(h))), answers=lambda h: says_who_sets(h)
    )


OWN_SHARE = 0.8  # a program's own clause scoring this close to a restatement of it ranks first


def own_first(hits: list[Hit], answers: Callable[[Hit], bool] = lambda h: False) -> list[Hit]:
    """A clause restating another document's program (the income plan's “设立‘企业骨干人才奖’”
    for 石政办发〔2022〕6号 第11条, the province's framework for the city's apprenticeship subsidy)
    ranks just below the program's own clause when the two score alike — unless it ``answers``
    what the question asks that the program's own clause does not (who sets the standard)."""
    ix = clause_index()
    out = list(hits)
    for hit in hits:
        if answers(hit):
            continue
        here = out.index(hit)
        # (another item of the same document, a card's service, is a part of it, not a restatement)
        owns = [ix.entry_clause.get(p) for p in hit.clause.programs]
        if not owns or any(
            own is None or own is hit.clause or own.document == hit.clause.document for own in owns
        ):
            continue
        later = [
            h
            for h in out[here + 1 :]
            if any(own is h.clause for own in owns) and h.score >= OWN_SHARE * hit.score
        ]
        if later:
            out.remove(later[0])
            out.insert(here, later[0])
    return out


def has_process_notes(clause: Clause) -> bool:
    entries = clause_index().catalogue.entries
    return any(entries[p].process or entries[p].deadlines for p in clause.programs if p in entries)
