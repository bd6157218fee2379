"""就高: one decision for explanations, population mode and the ledger."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from rencai.policy.citations import Citation
from rencai.policy.engine.system import system_for
from rencai.policy.rules import Exclusivity

GROUP = Exclusivity(
    id="x.rent",
    rule="highest",
    members=("city.rent", "county.rent"),
    citation=Citation(document="d", clause="c", quote="q"),
    label="就高",
)


def test_the_higher_total_wins_and_a_tie_goes_to_the_member_listed_first() -> None:
    totals = {"city.rent": Decimal("100.00"), "county.rent": Decimal("120.00")}
    assert GROUP.winner(totals, total=totals.__getitem__, member=lambda m: m) == "county.rent"
    tie = {"county.rent": Decimal(100), "city.rent": Decimal(100)}
    assert GROUP.winner(tie, total=tie.__getitem__, member=lambda m: m) == "city.rent"


def test_two_schedules_of_one_member_and_total_keep_their_order() -> None:
    schedules = [(7, "county.rent", 500), (3, "county.rent", 500), (9, "city.rent", 400)]
    winner = GROUP.winner(sorted(schedules), total=lambda s: s[2], member=lambda s: s[1])
    assert winner == (3, "county.rent", 500)


def test_outranks_decides_whole_vectors_the_same_way() -> None:
    city = np.array([100.0, 100.0, 90.0])
    county = np.array([100.0, 90.0, 100.0])
    assert GROUP.outranks("city.rent", city, "county.rent", county).tolist() == [True, True, False]
    assert GROUP.outranks("county.rent", county, "city.rent", city).tolist() == [False, False, True]


def test_every_declared_group_names_benefits_of_its_program() -> None:
    for code in ("shijiazhuang", "jinzhou"):
        program = system_for(code).program
        ids = {b.id for b in program.benefits}
        for group in program.exclusivity:
            assert set(group.members) <= ids, group.id
