"""Reforms as data, applied with OpenFisca's reform mechanism, and their runs' money."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from rencai.policy.engine.model import DEGREE_ORDER
from rencai.policy.engine.population import build_simulation, set_inputs
from rencai.policy.synthetic import random_columns
from rencai.simulation.costs import Month
from rencai.simulation.reform import ReformError, build_system, parse_reform, stack
from rencai.simulation.reuse import Laws
from rencai.simulation.run import simulate, window

START = dt.date(2021, 3, 1)
MONTHS = 18
DOCTORATE = DEGREE_ORDER.index("doctorate")

RENT = {
    "parameter": "b_card.rent_subsidy.doctorate",
    "from": "2021-02-10",
    "value": 3000,
}
PURCHASE = {
    "parameter": "b_card.purchase_subsidy.doctorate",
    "from": "2021-02-10",
    "value": 300000,
}


def reform(*changes: dict, name: str = "测试方案", baseline: str | None = "2021-02-09"):
    data: dict = {"name": name, "changes": list(changes)}
    if baseline:
        data["baseline"] = baseline
    return parse_reform(data)


@pytest.fixture(scope="module")
def population():
    return random_columns(1500, 11, START)


def test_2021_reform_reproduces_the_hand_computed_cost(population) -> None:
    """石字〔2021〕7号 第4条 over the 2017 amounts: 博士房租补助 2000→3000 元/月, 购房补贴
    15万→30万元. The cost difference is (3000−2000) × the doctorates' months of rent subsidy
    plus (300000−150000) × the doctorates receiving the purchase subsidy, counted here month by
    month under the law of 2021-02-09 (whose eligibility the amounts do not change)."""
    spec = parse_reform(Path(__file__).with_name("r2021.yaml").read_text(encoding="utf-8"))
    result = simulate(population, START, MONTHS, spec)
    law_of_2017 = build_system("shijiazhuang", baseline=dt.date(2021, 2, 9))
    doctor = population.persons["highest_degree"] == DOCTORATE
    rent_months, bought = 0, np.zeros(population.count, dtype=bool)
    for day in window(START, MONTHS):
        simulation = build_simulation(law_of_2017, population)
        set_inputs(simulation, population, day)
        rent = simulation.calculate("sjz_b_rent_subsidy_granted", day.isoformat())
        purchase = simulation.calculate("sjz_b_purchase_subsidy_granted", day.isoformat())
        rent_months += int((rent & doctor).sum())
        bought |= purchase & doctor
    by_hand = (3000 - 2000) * 100 * rent_months + (300000 - 150000) * 100 * int(bought.sum())
    assert rent_months > 0 and bought.sum() > 0
    assert result["total"]["difference_fen"] == by_hand
    programs = {p["program"]: p for p in result["programs"]}
    assert programs["sjz.b.rent_subsidy"]["difference_fen"] == 100_000 * rent_months
    assert programs["sjz.b.purchase_subsidy"]["difference_fen"] == 15_000_000 * int(bought.sum())
    assert sum(y["difference_fen"] for y in result["by_year"]) == by_hand
    assert result["total"]["losers"] == 0
    winners = {row["label"]: row["winners"] for row in result["groups"]["degree"]}
    assert winners["博士"] == result["total"]["winners"] > 0
    assert all(
        isinstance(v, int) for y in result["by_year"] for v in y.values() if v != y["programs"]
    )


def test_stacking_two_reforms_is_the_sum_of_their_steps(population) -> None:
    a, b = reform(RENT, name="房租"), reform(PURCHASE, name="购房")
    both = stack([a, b])
    whole = simulate(population, START, MONTHS, both)
    first = simulate(population, START, MONTHS, a)
    second = simulate(population, START, MONTHS, both, baseline=a)
    assert first["total"]["difference_fen"] != 0 and second["total"]["difference_fen"] != 0
    assert (
        first["total"]["difference_fen"] + second["total"]["difference_fen"]
        == whole["total"]["difference_fen"]
    )
    for y_whole, y1, y2 in zip(whole["by_year"], first["by_year"], second["by_year"], strict=True):
        assert y1["difference_fen"] + y2["difference_fen"] == y_whole["difference_fen"]


def test_a_reform_without_change_costs_exactly_nothing(population) -> None:
    result = simulate(population, START, 12, reform(baseline=None))
    assert result["total"]["baseline_fen"] > 0
    assert result["total"]["difference_fen"] == 0
    assert result["total"]["winners"] == result["total"]["losers"] == 0
    assert all(
        p["difference_fen"] == 0 and not p["gained"] and not p["lost"] for p in result["programs"]
    )
    assert result["evaluations"] == 12  # the reform's months are the baseline's


def test_switching_a_benefit_off_and_an_exclusivity_to_both(population) -> None:
    off = reform({"benefit": "sjz.b.purchase_subsidy", "enabled": False}, baseline=None)
    result = simulate(population, START, 12, off)
    purchase = next(p for p in result["programs"] if p["program"] == "sjz.b.purchase_subsidy")
    assert purchase["reform_fen"] == 0 and purchase["reform_recipients"] == 0
    assert purchase["lost"] == purchase["baseline_recipients"] > 0
    assert purchase["difference_fen"] == -purchase["baseline_fen"]
    sample = purchase["samples"]["lost"][0]
    explained = result["persons"][str(sample)]["explanation"]
    assert any(e["baseline"]["granted"] and not e["reform"]["granted"] for e in explained)

    both = reform({"exclusivity": "sjz.exclusive.rent", "rule": "both"}, baseline=None)
    result = simulate(population, START, 12, both)
    county = next(p for p in result["programs"] if p["program"] == "sjz.county.rent_subsidy")
    assert county["gained"] > 0 and county["lost"] == 0
    assert result["total"]["difference_fen"] > 0 and result["total"]["losers"] == 0


def test_dated_switch_starts_on_its_day(population) -> None:
    off = reform(
        {"benefit": "sjz.b.rent_subsidy", "enabled": False, "from": "2021-09-01"}, baseline=None
    )
    result = simulate(population, START, 12, off)
    rent = next(p for p in result["programs"] if p["program"] == "sjz.b.rent_subsidy")
    # six months (March to August) paid as before, none after
    assert 0 < rent["reform_fen"] < rent["baseline_fen"]
    assert rent["reform_recipient_months"] * 2 == pytest.approx(
        rent["baseline_recipient_months"], rel=0.2
    )
    assert result["cliffs"] and any(c["program"] == "sjz.b.rent_subsidy" for c in result["cliffs"])


def test_conflicting_changes_are_reported_not_merged() -> None:
    with pytest.raises(ReformError) as caught:
        reform(RENT, {**RENT, "value": 3500, "from": "2022-01-01"})
    assert caught.value.code == "conflict"
    assert "b_card.rent_subsidy.doctorate" in caught.value.message
    a, b = reform(RENT, name="甲"), reform({**RENT, "value": 4000}, name="乙")
    with pytest.raises(ReformError) as caught:
        stack([a, b])
    assert caught.value.code == "conflict" and "“甲”第1项" in caught.value.message
    # not overlapping: two periods of the same parameter are fine
    reform({**RENT, "until": "2021-12-31"}, {**RENT, "from": "2022-01-01", "value": 3500})


def test_validation_speaks_chinese_and_lists_what_is_valid() -> None:
    with pytest.raises(ReformError) as caught:
        reform({"parameter": "b_card.rent_subsidy.doctor", "from": "2022-01-01", "value": 1})
    assert caught.value.code == "unknown_parameter"
    assert "没有参数“b_card.rent_subsidy.doctor”" in caught.value.message
    assert "b_card.rent_subsidy.doctorate" in caught.value.message  # the valid ones listed
    with pytest.raises(ReformError) as caught:
        reform({**RENT, "value": "三千"})
    assert "的值应为数值" in caught.value.message
    with pytest.raises(ReformError) as caught:  # a value the administrator has not set yet
        reform({"parameter": "a_card.flexible_allowance", "from": "2022-01-01", "value": "高"})
    assert "的值应为数值" in caught.value.message
    reform({"parameter": "a_card.flexible_allowance", "from": "2022-01-01", "value": 15000})
    with pytest.raises(ReformError) as caught:
        reform({"benefit": "sjz.nothing", "enabled": False})
    assert caught.value.code == "unknown_benefit" and "房租补助" in caught.value.message
    with pytest.raises(ReformError) as caught:
        parse_reform({"changes": [{**RENT, "from": "2010-01-01"}, {"benefit": "x"}]})
    messages = [p.message for p in caught.value.problems]
    assert "请填写改革方案名称" in messages
    assert any("早于本平台收录的" in m for m in messages)
    assert any("enabled" in m for m in messages)
    with pytest.raises(ReformError) as caught:
        parse_reform("name: [unclosed")
    assert "YAML" in caught.value.message


def _with_families(population):
    """The same persons, the first third grouped two to a family (a talent and a relative), so
    that a relative's 副卡 follows a sponsor whose anniversaries are not theirs."""
    n = population.count
    rows = np.arange(n)
    paired = rows < n // 3
    population.family = np.unique(np.where(paired, rows // 2, rows), return_inverse=True)[1]
    population.relative = paired & (rows % 2 == 1)
    return population


@pytest.mark.parametrize(
    "changes, baseline, start, months",
    [
        ((RENT, PURCHASE), "2020-12-09", dt.date(2020, 12, 1), 16),
        (
            ({"benefit": "sjz.b.rent_subsidy", "enabled": False, "from": "2022-05-01"},),
            None,
            dt.date(2022, 1, 1),
            7,
        ),
        (({"exclusivity": "sjz.exclusive.rent", "rule": "both"},), None, dt.date(2023, 10, 1), 7),
    ],
)
def test_the_fast_path_equals_evaluating_every_person_every_month(
    changes, baseline, start, months
) -> None:
    spec = reform(*changes, baseline=baseline)
    for population in (
        random_columns(500, 5, start),
        _with_families(random_columns(500, 6, start)),
    ):
        slow = simulate(population, start, months, spec, fast=False)
        fast = simulate(population, start, months, spec)
        # the fast path did less work ...
        assert fast.pop("persons_evaluated") < slow.pop("persons_evaluated")
        assert fast.pop("evaluations") == slow.pop("evaluations")
        assert fast.pop("variables_reused") > slow.pop("variables_reused") == 0
        # ... and found every fen, recipient, cliff and sample the same
        assert fast == slow
        assert slow["total"]["baseline_fen"] > 0


AGE_LIMIT = {"parameter": "b_card.age_limit.categories_1_to_3", "from": "2021-06-01", "value": 40}
SUPPORT_YEARS = {"parameter": "county_card.rent_subsidy_years", "from": "2021-01-01", "value": 3}
# an amount the law leaves to the administrator (no value): the reform gives it one
FLEXIBLE = {"parameter": "a_card.flexible_allowance", "from": "2021-01-01", "value": 15000}
PURCHASE_OFF = {"benefit": "sjz.b.purchase_subsidy", "enabled": False, "from": "2021-09-01"}
RENT_BOTH = {"exclusivity": "sjz.exclusive.rent", "rule": "both", "from": "2021-07-01"}


@pytest.mark.parametrize(
    "changes, stacked_on",
    [
        ((AGE_LIMIT,), ()),  # an age limit raised in the middle of the window
        ((SUPPORT_YEARS, PURCHASE_OFF), ()),  # a support period shortened, a rule switched off
        ((FLEXIBLE, RENT_BOTH), ()),  # a value where the law had none; 就高 to both
        ((RENT, AGE_LIMIT), (PURCHASE_OFF,)),  # a step of a stack over another reform
    ],
)
def test_the_reform_on_the_baselines_work_equals_evaluating_it_from_scratch(
    changes, stacked_on
) -> None:
    """The reform's months are computed on the baseline's (only the variables the reform can
    change are computed again, decision 0234): the same fen, recipients, cliffs and samples as
    evaluating every person in every month under both laws."""
    start, months = dt.date(2020, 11, 1), 14
    under = reform(*stacked_on, name="基础方案", baseline=None) if stacked_on else None
    spec = reform(*stacked_on, *changes, baseline=None)
    for population in (
        random_columns(400, 7, start),
        _with_families(random_columns(400, 8, start)),
    ):
        slow = simulate(population, start, months, spec, baseline=under, fast=False)
        fast = simulate(population, start, months, spec, baseline=under)
        assert fast.pop("variables_reused") > 0 and slow.pop("variables_reused") == 0
        assert fast.pop("persons_evaluated") < slow.pop("persons_evaluated")
        assert fast == slow
        assert slow["total"]["difference_fen"] != 0


def test_what_the_reform_changes_is_found_per_instant() -> None:
    """The parameters compared are those whose values differ on the day; a switched rule's
    variables are redefined."""
    spec = reform(RENT, AGE_LIMIT, PURCHASE_OFF, baseline="2021-02-09")
    laws = Laws(
        build_system("shijiazhuang", baseline=spec.baseline),
        build_system(spec.jurisdiction, spec.changes, spec.baseline),
    )
    assert laws.differing("2021-02-01") == ()
    assert set(laws.differing("2021-03-01") or ()) == {"b_card.rent_subsidy.doctorate"}
    assert set(laws.differing("2021-06-01") or ()) == {
        "b_card.rent_subsidy.doctorate",
        "b_card.age_limit.categories_1_to_3",
    }
    assert laws.redefined == {"sjz_b_purchase_subsidy_eligible"}


def test_a_month_given_too_few_facts_is_found_out() -> None:
    """Months recomputed for some persons are given only the facts such months have read
    (decision 0237); a month whose rules read another fact is found out and computed again with
    all of them."""
    from openfisca_core.periods import period as make_period

    from rencai.simulation import changes, run
    from rencai.simulation.reuse import Constants

    population = random_columns(600, 3, START)
    law = build_system("shijiazhuang", baseline=dt.date(2021, 2, 9))
    items = run.money_items(law)
    first = run.Month(law, population, START, items, record=True)
    kept = Constants(first.simulation, population, make_period(START.isoformat()))
    rows = changes.changed_rows(population, changes.anniversary_months(population), START.month)
    day = dt.date(2021, 4, 1)
    given = changes.subset_families(population, rows, {"highest_degree"})
    month = run.Month(law, given, day, items, record=True, constants=(kept, rows))
    assert "birth_date" in changes.lacking(population, given, month.read)
    whole = changes.subset_families(population, rows)
    again = run.Month(law, whole, day, items, record=True, constants=(kept, rows))
    assert not changes.lacking(population, whole, again.read)
    # what the months read: a few of the facts
    assert (
        0
        < len(again.read & changes.columns_of(population))
        < len(changes.columns_of(population)) // 4
    )


def _month(granted: list[bool], fen: list[int] | None) -> Month:
    month = object.__new__(Month)
    month.granted = {"item": np.array(granted, dtype=bool)}
    month.payment = {"item": None if fen is None else np.array(fen, dtype=np.int64)}
    return month


def test_a_reform_item_shared_with_the_baseline_moves_apart_exactly() -> None:
    """Both sides hold the same arrays of an item (granted and paid alike); the baseline's
    persons recomputed move one way, the reform's another: the baseline's arrays get the
    baseline's values only, the reform's become its own, as they were plus its own moves."""
    base = _month([True, False, True, False], [100, 0, 100, 0])
    mine = object.__new__(Month)
    mine.granted, mine.payment = dict(base.granted), dict(base.payment)
    rows = np.array([1, 2])
    base_moves = Month.patch(base, _month([True, True], [100, 100]), rows)
    assert base.granted["item"].tolist() == [True, True, True, False]
    assert base.payment["item"] is not None
    assert base.payment["item"].tolist() == [100, 100, 100, 0]
    # the reform grants person 1 nothing and pays person 2 more
    computed = _month([True, True], [100, 100])
    reform_moves = Month.patch(
        mine, _month([False, True], [0, 250]), rows, (base, base_moves, computed)
    )
    assert mine.granted["item"] is not base.granted["item"]
    assert mine.granted["item"].tolist() == [True, False, True, False]
    assert mine.payment["item"] is not None
    assert mine.payment["item"].tolist() == [100, 0, 250, 0]
    assert base.payment["item"].tolist() == [100, 100, 100, 0]
    delta = reform_moves["item"]
    assert delta is not None and delta.rows.tolist() == [2]
    assert delta.old_fen.tolist() == [100] and delta.new_fen.tolist() == [250]
    # alike: the baseline's moves, the arrays still shared
    again = object.__new__(Month)
    again.granted, again.payment = dict(base.granted), dict(base.payment)
    moves = Month.patch(base, _month([False, True], [0, 100]), rows)
    shared = Month.patch(
        again, _month([False, True], [0, 100]), rows, (base, moves, _month([False, True], [0, 100]))
    )
    assert shared["item"] is moves["item"] and again.granted["item"] is base.granted["item"]
