"""Jinzhou 锦州市: allowances for graduates who stay or come, and a startup subsidy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rencai.policy.engine.system import Jurisdiction
from rencai.policy.jurisdictions.jinzhou.programs import program

JURISDICTION = Jurisdiction(
    code="jinzhou",
    name="锦州市",
    parameters_dir=Path(__file__).with_name("parameters"),
    program_factory=program,
    # seed 002 reports the 2023 measures ("今年") without a day: modelled from 2023-01-01
    earliest=dt.date(2023, 1, 1),
    family_services=list,
)
