"""Screening in two steps (decision 0175): the gate leaves out only persons who hold nothing.

The population mixes persons working in the city with persons working elsewhere or nowhere
known, so that the gate has someone to leave out; the gated result must equal screening everyone,
card by card, benefit by benefit, to the fen.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import County, county_member
from rencai.policy.engine.population import Population, build_simulation, set_inputs
from rencai.policy.engine.system import system_for
from rencai.policy.rules import Condition, all_of, any_of
from rencai.policy.screening import (
    GATE_FROM,
    ScreeningResult,
    card_leaves,
    necessities,
    required_leaves,
    screen,
    screen_gated,
)
from rencai.policy.synthetic import random_columns

ON = dt.date(2026, 11, 23)


def _mixed(jurisdiction: str, count: int, seed: int) -> Population:
    """Synthetic talents of the city, a third moved to other cities' counties and a sixth to
    no known county."""
    population = random_columns(count, seed=seed, on=ON, jurisdiction=jurisdiction)
    elsewhere = np.array(
        [
            County[county_member(code)].index
            for code, county in vocabulary().counties.items()
            if county.jurisdiction != jurisdiction
        ],
        dtype=np.int16,
    )
    rng = np.random.default_rng(seed)
    draw = rng.random(count)
    county = population.persons["county"].copy()
    moved = draw < 1 / 3
    county[moved] = elsewhere[rng.integers(0, len(elsewhere), int(moved.sum()))]
    county[(draw >= 1 / 3) & (draw < 1 / 2)] = County.unknown.index
    population.persons["county"] = county
    return population


def _assert_same(gated: ScreeningResult, everyone: ScreeningResult) -> None:
    for name in ("cards", "granted", "totals_fen", "categories"):
        mine, theirs = getattr(gated, name), getattr(everyone, name)
        assert mine.keys() == theirs.keys(), name
        for key in mine:
            assert np.array_equal(mine[key], theirs[key]), (name, key)


@pytest.mark.parametrize("jurisdiction", ["shijiazhuang", "jinzhou"])
def test_gated_screening_equals_screening_everyone(jurisdiction: str) -> None:
    population = _mixed(jurisdiction, 3 * GATE_FROM, seed=11)
    rows, _ = screen_gated(jurisdiction, population, ON, categories=True, targets={"person"})
    # the gate has left someone out: the comparison below tests something
    assert rows is not None and 0 < len(rows) < population.count
    for targets in ({"person"}, None):
        _assert_same(
            screen(jurisdiction, population, ON, categories=True, targets=targets),
            screen(jurisdiction, population, ON, categories=True, targets=targets, gated=False),
        )


def test_small_populations_are_screened_whole() -> None:
    population = _mixed("shijiazhuang", GATE_FROM - 1, seed=3)
    rows, result = screen_gated("shijiazhuang", population, ON)
    assert rows is None and result.count == population.count


def test_every_holder_holds_the_leaves_found_necessary() -> None:
    """The derivation of necessary leaves, checked on data: whoever holds a card or is granted a
    benefit holds every leaf ``necessities`` names for it."""
    jurisdiction = "shijiazhuang"
    population = _mixed(jurisdiction, 6000, seed=5)
    program = system_for(jurisdiction).program
    simulation = build_simulation(system_for(jurisdiction), population)
    set_inputs(simulation, population, ON)
    day = ON.isoformat()
    held = [
        simulation.calculate(card.variable, day) for card in program.cards if not card.per_relative
    ] + [simulation.calculate(f"{b.variable}_granted", day) for b in program.benefits]
    needs = necessities(jurisdiction, None)
    assert len(needs) == len(held)
    holders = 0
    for holds, need in zip(held, needs, strict=True):
        holders += int(holds.sum())
        for name in need:
            leaf = simulation.calculate(name, day)
            assert not (holds & ~leaf).any(), name
    assert holders > 0


def test_required_leaves_of_a_rule() -> None:
    def leaf(name: str) -> Condition:
        return Condition(name=name, label=name, formula=lambda p, t, _: None)

    a, b, c, d = leaf("a"), leaf("b"), leaf("c"), leaf("d")
    # all of (a, any of (b and c, b and d)): a and b are necessary, c and d are not
    rule = all_of(a, any_of(all_of(b, c), all_of(b, d)))
    assert required_leaves(rule, {}) == {"a", "b"}
    assert required_leaves(any_of(a, b), {}) == frozenset()
    # a card's leaf names what the card requires: its scope and what all categories share
    program = system_for("shijiazhuang").program
    cards = {card.id: card for card in program.cards}
    card_b = cards["card.b"]
    assert "works_in_shijiazhuang" in card_leaves(card_b, cards)


def test_a_gate_made_before_degrees_are_read_uses_no_leaf_reading_them() -> None:
    """Decision 0196: with facts named as read later, their leaves are not gate candidates."""
    later = frozenset({"person.birth_date", "person.education", "employment.introduced_from"})
    conditions = {c.name: c for c in system_for("shijiazhuang").program.conditions}
    everything = frozenset().union(*necessities("shijiazhuang", frozenset({"person"})))
    before = necessities("shijiazhuang", frozenset({"person"}), later)
    assert before  # every item still has a candidate
    candidates = frozenset().union(*before)
    assert {"bachelor_or_above", "introduced_from_outside"} <= everything - candidates
    for name in candidates:
        for path in conditions[name].reads:
            assert not any(path == f or path.startswith(f + ".") for f in later), (name, path)
