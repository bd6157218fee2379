"""Matching talents to needs: which stated requirement each fact meets, and what is missing.

A need states up to three requirements — the lowest degree, the lowest skill level, the
discipline (专业, as the diploma names it). A talent meets the degree or the skill level at or
above it, and the discipline when one of their degrees is in it. A match is **full** when every
stated requirement is met; matches rank full ones first, then by how many requirements are met,
then by the need's (or the talent's) order. The pure numpy kernel ``rank`` ranks many talents
against many needs without a talent × need matrix (``scores`` builds one, for checking);
``explain`` words one pair for people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEGREE_RANK = {"none": 0, "associate": 1, "bachelor": 2, "master": 3, "doctorate": 4}
SKILL_RANK = {"none": 0, "senior_worker": 1, "technician": 2, "senior_technician": 3}
DEGREE_LABELS = {
    "doctorate": "博士研究生",
    "master": "硕士研究生",
    "bachelor": "大学本科",
    "associate": "大专",
    "none": "无",
}
SKILL_LABELS = {
    "senior_technician": "高级技师",
    "technician": "技师",
    "senior_worker": "高级工",
    "none": "无",
}
MAX_DISCIPLINES = 4  # degrees per talent considered


def normal(text: str | None) -> str:
    return "".join((text or "").split())


@dataclass(frozen=True)
class TalentFacts:
    talent_id: int
    degree: str = "none"  # the highest degree held
    skill_level: str = "none"
    disciplines: tuple[str, ...] = ()
    degree_known: bool = False


@dataclass(frozen=True)
class NeedTerms:
    need_id: int
    degree: str | None = None
    skill_level: str | None = None
    discipline: str | None = None


def facts_of(talent_id: int, profile: dict[str, Any]) -> TalentFacts:
    """The facts of a stored profile that needs ask about."""
    person = profile.get("person") or {}
    education = person.get("education") or []
    degrees = [str(e.get("degree") or "none") for e in education]
    highest = max(degrees, key=lambda d: DEGREE_RANK.get(d, 0)) if degrees else "none"
    disciplines = tuple(
        normal(e.get("discipline")) for e in education if normal(e.get("discipline"))
    )[:MAX_DISCIPLINES]
    return TalentFacts(
        talent_id=talent_id,
        degree=highest,
        skill_level=str(person.get("skill_level") or "none"),
        disciplines=disciplines,
        degree_known=bool(education),
    )


@dataclass
class Encoded:
    """Talents or needs as arrays; disciplines as integer ids shared by both sides."""

    ids: np.ndarray
    degree: np.ndarray
    skill: np.ndarray
    discipline: np.ndarray  # talents: (T, MAX_DISCIPLINES), -1 padded; needs: (N,), -1 = none
    vocabulary: dict[str, int] = field(default_factory=dict)


def _code(vocabulary: dict[str, int], text: str) -> int:
    return vocabulary.setdefault(text, len(vocabulary))


def encode(talents: Sequence[TalentFacts], needs: Sequence[NeedTerms]) -> tuple[Encoded, Encoded]:
    words: dict[str, int] = {}
    t_disc = np.full((len(talents), MAX_DISCIPLINES), -1, dtype=np.int32)
    for row, talent in enumerate(talents):
        for col, text in enumerate(talent.disciplines[:MAX_DISCIPLINES]):
            t_disc[row, col] = _code(words, text)
    n_disc = np.array(
        [_code(words, normal(n.discipline)) if normal(n.discipline) else -1 for n in needs],
        dtype=np.int32,
    )
    return (
        Encoded(
            ids=np.array([t.talent_id for t in talents], dtype=np.int64),
            degree=np.array([DEGREE_RANK.get(t.degree, 0) for t in talents], dtype=np.int8),
            skill=np.array([SKILL_RANK.get(t.skill_level, 0) for t in talents], dtype=np.int8),
            discipline=t_disc,
            vocabulary=words,
        ),
        Encoded(
            ids=np.array([n.need_id for n in needs], dtype=np.int64),
            degree=np.array([DEGREE_RANK.get(n.degree or "none", 0) for n in needs], dtype=np.int8),
            skill=np.array(
                [SKILL_RANK.get(n.skill_level or "none", 0) for n in needs], dtype=np.int8
            ),
            discipline=n_disc,
            vocabulary=words,
        ),
    )


def scores(talents: Encoded, needs: Encoded, rows: slice) -> np.ndarray:
    """(talents in ``rows``) × needs: 8 × full + requirements met (0–3), as int8.

    A requirement not stated is never missing (its degree or level is 0; a need without a
    discipline reads a column that every talent holds), so the score is the stated count less
    the missing count, plus 8 when nothing is missing."""
    block = talents.discipline[rows]
    width = max(len(talents.vocabulary), int(needs.discipline.max(initial=-1)) + 1)
    width = max(width, int(block.max(initial=-1)) + 1)
    held = np.zeros((block.shape[0], width + 1), dtype=bool)  # the last column: "no discipline"
    held[:, width] = True
    for col in range(block.shape[1]):
        present = block[:, col] >= 0
        held[np.nonzero(present)[0], block[present, col]] = True
    column = np.where(needs.discipline >= 0, needs.discipline, width)
    stated = (
        (needs.degree > 0).astype(np.int8) + (needs.skill > 0) + (needs.discipline >= 0)
    ).astype(np.int8)
    missing = (talents.degree[rows, None] < needs.degree[None, :]).view(np.int8)
    missing = missing + (talents.skill[rows, None] < needs.skill[None, :]).view(np.int8)
    missing += (~held[:, column]).view(np.int8)
    score = stated[None, :] - missing
    score += np.where(missing == 0, np.int8(8), np.int8(0))
    return score


def _alike(facts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of small non-negative (or -1) integer facts, and each row's kind."""
    shifted = facts + 1
    spans = shifted.max(axis=0) + 1
    if float(np.prod(spans.astype(np.float64))) < 2.0**62:  # one integer per row
        key = np.zeros(len(facts), dtype=np.int64)
        for col in range(facts.shape[1]):
            key = key * int(spans[col]) + shifted[:, col]
        _, first, which = np.unique(key, return_index=True, return_inverse=True)
        return facts[first], which.reshape(-1)
    kinds, which = np.unique(facts, axis=0, return_inverse=True)
    return kinds, which.reshape(-1)


def rank(
    talents: Encoded, needs: Encoded, top: int = 10, full_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """For every talent the ``top`` best needs: (need positions, scores as in ``scores``), -1
    where fewer match. Ties go to the earlier need.

    Without its disciplines a talent's scores depend only on the degree and skill level, so
    the needs are ranked once per (degree, level) class; holding a discipline only raises the
    scores of the few needs that name it. A talent's best needs are therefore among those needs
    and the head of its class's ranking — no talent × need matrix is built. Talents alike in
    every fact the needs ask about share one answer."""
    count, width = len(talents.ids), len(needs.ids)
    top = min(top, width)
    if top == 0 or count == 0:
        return np.full((count, top), -1, dtype=np.int32), np.zeros((count, top), dtype=np.int8)
    disciplines = np.sort(talents.discipline, axis=1)
    disciplines[:, 1:][disciplines[:, 1:] == disciplines[:, :-1]] = -1  # a discipline once
    facts = np.column_stack(
        [talents.degree.astype(np.int64), talents.skill.astype(np.int64), disciplines]
    )
    kinds, which = _alike(facts)
    kind_count = len(kinds)
    degrees = int(max(kinds[:, 0].max(), needs.degree.max(initial=0))) + 1
    levels = int(max(kinds[:, 1].max(), needs.skill.max(initial=0))) + 1
    has_discipline = needs.discipline >= 0
    stated = (needs.degree > 0).astype(np.int16) + (needs.skill > 0) + has_discipline
    # per (degree, level) class: missing degree or level, for every need
    class_degree = np.repeat(np.arange(degrees), levels)
    class_level = np.tile(np.arange(levels), degrees)
    lacking = (class_degree[:, None] < needs.degree[None, :]).astype(np.int16) + (
        class_level[:, None] < needs.skill[None, :]
    )

    def score_of(missing: np.ndarray, stated_here: np.ndarray) -> np.ndarray:
        score = stated_here - missing + 8 * (missing == 0)
        return np.where(score >= 8, score, 0) if full_only else score

    base = score_of(lacking + has_discipline, stated[None, :])  # (classes, needs)
    order = np.argsort(-base, axis=1, kind="stable")
    kind_class = kinds[:, 0] * levels + kinds[:, 1]

    # the needs naming a discipline the kind holds, with their raised score
    by_discipline = np.argsort(np.where(has_discipline, needs.discipline, -1), kind="stable")
    first_named = int(np.searchsorted(needs.discipline[by_discipline], 0))
    named = by_discipline[first_named:]
    named_discipline = needs.discipline[named]
    held_kind, held_col = np.nonzero(kinds[:, 2:] >= 0)
    held = kinds[:, 2:][held_kind, held_col]
    lo = np.searchsorted(named_discipline, held, side="left")
    hi = np.searchsorted(named_discipline, held, side="right")
    sizes = hi - lo
    pair_kind = np.repeat(held_kind, sizes)
    steps = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    pair_need = named[np.repeat(lo, sizes) + steps]
    pair_kind, pair_need = pair_kind.astype(np.int64), pair_need.astype(np.int64)
    pair_score = score_of(lacking[kind_class[pair_kind], pair_need], stated[pair_need])

    # the head of each kind's class ranking, long enough to survive the raised needs
    raised = np.bincount(pair_kind, minlength=kind_count)
    head = min(width, top + int(raised.max(initial=0)))
    head_need = order[:, :head][kind_class].astype(np.int64)
    head_kind = np.repeat(np.arange(kind_count, dtype=np.int64), head)
    head_need = head_need.reshape(-1)
    head_discipline = needs.discipline[order[:, :head]][kind_class]  # (kinds, head)
    is_raised = (head_discipline[:, :, None] == kinds[:, None, 2:]).any(axis=2)
    keep = ~(is_raised & (head_discipline >= 0)).reshape(-1)
    head_kind, head_need = head_kind[keep], head_need[keep]
    head_score = base[kind_class[head_kind], head_need]

    all_kind = np.concatenate([pair_kind, head_kind])
    all_need = np.concatenate([pair_need, head_need])
    all_score = np.concatenate([pair_score, head_score])
    shown = all_score > 0
    all_kind, all_need, all_score = all_kind[shown], all_need[shown], all_score[shown]
    key = (all_kind * 16 + (15 - all_score)) * width + all_need
    sort = np.argsort(key, kind="stable")
    all_kind, all_need, all_score = all_kind[sort], all_need[sort], all_score[sort]
    slot = np.arange(len(all_kind)) - np.searchsorted(all_kind, all_kind, side="left")
    within = slot < top
    best = np.full((kind_count, top), -1, dtype=np.int32)
    best_scores = np.zeros((kind_count, top), dtype=np.int8)
    best[all_kind[within], slot[within]] = all_need[within]
    best_scores[all_kind[within], slot[within]] = all_score[within]
    return best[which], best_scores[which]


@dataclass(frozen=True)
class Line:
    requirement: str
    met: bool
    fact: str


def explain(talent: TalentFacts, need: NeedTerms) -> list[Line]:
    """Each stated requirement of the need: met or not, and the talent's fact that decides it."""
    lines = []
    if need.degree and DEGREE_RANK.get(need.degree, 0) > 0:
        met = DEGREE_RANK.get(talent.degree, 0) >= DEGREE_RANK[need.degree]
        fact = (
            f"最高学历：{DEGREE_LABELS.get(talent.degree, talent.degree)}"
            if talent.degree_known
            else "档案中未填写学历"
        )
        lines.append(Line(f"学历：{DEGREE_LABELS[need.degree]}及以上", met, fact))
    if need.skill_level and SKILL_RANK.get(need.skill_level, 0) > 0:
        met = SKILL_RANK.get(talent.skill_level, 0) >= SKILL_RANK[need.skill_level]
        fact = (
            f"职业技能等级：{SKILL_LABELS.get(talent.skill_level, talent.skill_level)}"
            if talent.skill_level != "none"
            else "档案中无职业技能等级"
        )
        lines.append(Line(f"职业技能等级：{SKILL_LABELS[need.skill_level]}及以上", met, fact))
    wanted = normal(need.discipline)
    if wanted:
        met = wanted in talent.disciplines
        fact = (
            "所学专业：" + "、".join(talent.disciplines)
            if talent.disciplines
            else "档案中未填写所学专业"
        )
        lines.append(Line(f"专业：{need.discipline}", met, fact))
    return lines


def ordered(pairs: Iterable[tuple[Any, list[Line]]]) -> list[tuple[Any, list[Line]]]:
    """Full matches first, then by requirements met; the given order breaks ties."""
    indexed = list(enumerate(pairs))
    indexed.sort(
        key=lambda item: (
            not all(line.met for line in item[1][1]),
            -sum(line.met for line in item[1][1]),
            item[0],
        )
    )
    return [pair for _, pair in indexed]
