"""Matching with hand-built needs and talents whose best matches are known; the explanations
name the facts; the vectorised ranking agrees with the explanations."""

from __future__ import annotations

import random

from rencai.shortage.matching import (
    NeedTerms,
    TalentFacts,
    encode,
    explain,
    facts_of,
    ordered,
    rank,
)

SOFTWARE = NeedTerms(1, degree="master", discipline="计算机科学与技术")
MACHINIST = NeedTerms(2, degree="associate", skill_level="technician")
RESEARCH = NeedTerms(3, degree="doctorate", discipline="计算机科学与技术")
ANYONE = NeedTerms(4)
NEEDS = [SOFTWARE, MACHINIST, RESEARCH]

MASTER = TalentFacts(10, "master", "none", ("计算机科学与技术",), True)
TECHNICIAN = TalentFacts(11, "associate", "technician", ("数控技术",), True)
NOBODY = TalentFacts(12)


def test_facts_are_read_from_the_profile() -> None:
    profile = {
        "person": {
            "skill_level": "senior_worker",
            "education": [
                {"degree": "bachelor", "discipline": "机械工程"},
                {"degree": "master", "discipline": " 机械 工程 "},
            ],
        }
    }
    facts = facts_of(7, profile)
    assert facts.degree == "master" and facts.skill_level == "senior_worker"
    assert facts.disciplines == ("机械工程", "机械工程") and facts.degree_known
    assert facts_of(8, {}).degree_known is False


def test_explanations_name_each_requirement_and_the_deciding_fact() -> None:
    lines = explain(MASTER, RESEARCH)
    assert [(x.requirement, x.met, x.fact) for x in lines] == [
        ("学历：博士研究生及以上", False, "最高学历：硕士研究生"),
        ("专业：计算机科学与技术", True, "所学专业：计算机科学与技术"),
    ]
    lines = explain(MASTER, MACHINIST)
    assert [(x.requirement, x.met, x.fact) for x in lines] == [
        ("学历：大专及以上", True, "最高学历：硕士研究生"),
        ("职业技能等级：技师及以上", False, "档案中无职业技能等级"),
    ]
    assert [x.fact for x in explain(NOBODY, SOFTWARE)] == [
        "档案中未填写学历",
        "档案中未填写所学专业",
    ]
    assert explain(NOBODY, ANYONE) == []


def test_known_best_matches_rank_first() -> None:
    best = ordered([(n.need_id, explain(MASTER, n)) for n in NEEDS])
    assert [need for need, _ in best] == [1, 2, 3]  # full first, then one of two (need order)
    best = ordered([(n.need_id, explain(TECHNICIAN, n)) for n in NEEDS])
    assert best[0][0] == 2 and all(x.met for x in best[0][1])

    talents, needs = encode([MASTER, TECHNICIAN, NOBODY], NEEDS)
    positions, scores = rank(talents, needs, top=3)
    assert positions[0].tolist() == [0, 1, 2] and scores[0].tolist() == [10, 1, 1]
    assert positions[1].tolist()[0] == 1 and scores[1][0] == 10
    assert positions[2].tolist() == [-1, -1, -1]  # nothing met: nothing shown
    full, _ = rank(talents, needs, top=3, full_only=True)
    assert full[0].tolist() == [0, -1, -1]
    twice = TalentFacts(13, "master", "none", ("计算机科学与技术", "计算机科学与技术"), True)
    again, again_scores = rank(*encode([twice], NEEDS), top=3)
    assert again[0].tolist() == [0, 1, 2] and again_scores[0].tolist() == [10, 1, 1]


def test_the_vectorised_ranking_agrees_with_the_explanations() -> None:
    rng = random.Random(4)
    degrees = ["none", "associate", "bachelor", "master", "doctorate"]
    skills = ["none", "senior_worker", "technician", "senior_technician"]
    subjects = ["机械工程", "临床医学", "计算机科学与技术", "护理学", "化学工程与技术"]
    people = [
        TalentFacts(
            i,
            rng.choice(degrees),
            rng.choice(skills),
            tuple(rng.sample(subjects, rng.randint(0, 2))),
            True,
        )
        for i in range(300)
    ]
    needs = [
        NeedTerms(
            100 + j,
            rng.choice([None, *degrees[1:]]),
            rng.choice([None, *skills[1:]]),
            rng.choice([None, *subjects]),
        )
        for j in range(40)
    ]
    talents, encoded = encode(people, needs)
    positions, _ = rank(talents, encoded, top=5)
    for row, person in enumerate(people):
        expected = [
            need.need_id
            for need, lines in ordered([(n, explain(person, n)) for n in needs])
            if not lines or any(x.met for x in lines)
        ][:5]
        got = [needs[p].need_id for p in positions[row] if p >= 0]
        assert got == expected, person
