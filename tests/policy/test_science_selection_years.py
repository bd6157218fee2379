"""石科规〔2019〕3号 第四条: "领军人物和创新团队项目的申报评审每两年组织一次" names no first year
(第十三条: the bureau publishes each call's guide). Until the administrator sets it, no year is a
selection year and the why-not says the year is to be made clear; once set, the years follow it
every two years within the measures' five years (decision 0375)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import numpy as np
from openfisca_core import periods

from rencai.policy.engine.system import system_for
from rencai.policy.jurisdictions.shijiazhuang import science_2019

FIRST_YEAR = "science_2019.first_selection_year"


def _parameters(first: int | None) -> Any:
    node = system_for("shijiazhuang").parameters.clone()
    if first is not None:  # what the administrator enters from the bureau's guide
        node.science_2019.first_selection_year.update(
            start=periods.instant("2019-07-05"), stop=periods.instant("2024-07-04"), value=first
        )
    return node


def _holds(on: dt.date, first: int | None) -> bool:
    parameters = _parameters(first)
    period = periods.period(on.isoformat())
    person = SimpleNamespace(count=1)
    held = science_2019._selection_year(person, period, parameters)
    assert held.shape == (1,) and held.dtype == np.bool_
    return bool(held[0])


def _why_not(on: dt.date, first: int | None) -> str:
    parameters = _parameters(first)

    def param(path: str) -> Any:
        node: Any = parameters(on.isoformat())
        for part in path.split("."):
            node = node[part]
        return node

    def value(path: str) -> Any:
        try:
            return param(path)
        except Exception:  # no value that day
            return None

    facts = SimpleNamespace(on=on, param=value)
    return science_2019.science_selection_year.text(facts, False)  # type: ignore[arg-type]


def test_no_year_is_a_selection_year_until_the_administrator_sets_the_first() -> None:
    for on in (dt.date(2019, 7, 5), dt.date(2020, 9, 1), dt.date(2023, 3, 1)):
        assert not _holds(on, None)
    assert "待主管部门明确" in _why_not(dt.date(2021, 5, 1), None)


def test_a_first_year_set_decides_every_second_year() -> None:
    assert _holds(dt.date(2019, 9, 1), 2019)
    assert not _holds(dt.date(2020, 9, 1), 2019)
    assert _holds(dt.date(2021, 1, 1), 2019)
    assert _holds(dt.date(2023, 12, 31), 2019)
    assert not _holds(dt.date(2022, 6, 1), 2019)
    assert _why_not(dt.date(2022, 6, 1), 2019) == (
        "2022年不组织领军人物项目申报评审（自2019年起每两年组织一次），下次为2023年"
    )


def test_outside_the_five_years_the_measures_own_switch_says_why() -> None:
    assert _holds(dt.date(2019, 7, 4), None)
    assert _holds(dt.date(2024, 7, 5), None)
