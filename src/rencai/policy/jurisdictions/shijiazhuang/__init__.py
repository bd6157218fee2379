"""Shijiazhuang 石家庄市: talent green cards A / B / county / family and what they grant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rencai.policy.engine.system import Jurisdiction
from rencai.policy.jurisdictions.shijiazhuang.programs import family_card_services, program

JURISDICTION = Jurisdiction(
    code="shijiazhuang",
    name="石家庄市",
    parameters_dir=Path(__file__).with_name("parameters"),
    program_factory=program,
    # The green-card documents are numbered 2017; the seeds give no day, so the law is modelled
    # from the first day of that year (docs/decisions/0004-policy-start-dates.md).
    earliest=dt.date(2017, 1, 1),
    family_services=family_card_services,
)
