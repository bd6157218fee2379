"""Matching talents to needs: which stated requirement each fact meets, and what is missing.

A need states up to three requirements — the lowest degree, the lowest skill level, the
discipline (专业, as the diploma names it). A talent meets the degree or the skill level at or
above it, and the discipline when one of their degrees is in it. A match is **full** when every
stated requirement is met; matches rank full ones first, then by how many requirements are met,
then by the need's (or the talent's) order. The pure numpy kernel ``rank`` scores many talents
against many needs in blocks, so a hundred thousand talents against five thousand needs fit in
memory; ``explain`` words one pair for people.
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
    """(talents in ``rows``) × needs: 8 × full + requirements met (0–3), as int8."""
    stated_degree = needs.degree > 0
    stated_skill = needs.skill > 0
    stated_discipline = needs.discipline >= 0
    stated = stated_degree.astype(np.int8) + stated_skill + stated_discipline
    degree = talents.degree[rows, None] >= needs.degree[None, :]
    skill = talents.skill[rows, None] >= needs.skill[None, :]
    discipline = np.zeros(degree.shape, dtype=bool)
    block = talents.discipline[rows]
    for col in range(block.shape[1]):
        discipline |= block[:, col, None] == needs.discipline[None, :]
    met = (
        (degree & stated_degree).astype(np.int8)
        + (skill & stated_skill)
        + (discipline & stated_discipline)
    )
    return (8 * (met == stated[None, :]) + met).astype(np.int8)


def rank(
    talents: Encoded, needs: Encoded, top: int = 10, block: int = 2048, full_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """For every talent the ``top`` best needs: (need positions, scores), -1 where fewer match.
    Ties go to the earlier need."""
    count = len(talents.ids)
    top = min(top, len(needs.ids))
    best = np.full((count, top), -1, dtype=np.int32)
    best_scores = np.zeros((count, top), dtype=np.int8)
    if top == 0:
        return best, best_scores
    order = np.arange(len(needs.ids), dtype=np.int32)
    for start in range(0, count, block):
        rows = slice(start, min(start + block, count))
        score = scores(talents, needs, rows)
        if full_only:
            score = np.where(score >= 8, score, 0).astype(np.int8)
        # a composite key: higher score first, then the earlier need
        key = score.astype(np.int32) * len(order) + (len(order) - 1 - order)[None, :]
        part = np.argpartition(-key, top - 1, axis=1)[:, :top]
        part_keys = np.take_along_axis(key, part, axis=1)
        sorted_part = np.take_along_axis(part, np.argsort(-part_keys, axis=1), axis=1)
        chosen = np.take_along_axis(score, sorted_part, axis=1)
        sorted_part = np.where(chosen > 0, sorted_part, -1)
        best[rows] = sorted_part
        best_scores[rows] = np.where(chosen > 0, chosen, 0)
    return best, best_scores


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
