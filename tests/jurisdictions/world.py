"""Sets up 试验市's world in a process that sees the fixture jurisdiction (run as
``python -m tests.jurisdictions.world`` with RENCAI_JURISDICTIONS_DIR and RENCAI_DATABASE_URL):
a talent whose card and allowance are approved along the ordinary review chain, a bus point of
the city, two finance officers of the city, the talent's bank account and three months of social
insurance contributions. Prints what the test needs as JSON."""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from pathlib import Path

from rencai import clock
from rencai.applications.service import apply, decide
from rencai.cards.issuance import set_validity
from rencai.cards.usage import register_point
from rencai.db.session import database_url, session_scope
from rencai.feeds.load import load
from rencai.feeds.source import FileSource
from rencai.ledger.payees import set_payee
from rencai.ledger.schedules import add_months, month_start
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role
from rencai.wiring import wire
from tests.ledger.world import uscc
from tests.profiles import doctor_birth_date
from tests.support import random_id_number

PASSWORD = "secret123"
COUNTY = "990101"


def profile(start: str) -> dict[str, object]:
    return {
        "jurisdiction": "testville",
        "person": {
            "birth_date": doctor_birth_date().isoformat(),
            "education": [
                {"degree": "doctorate", "full_time": True, "graduation_date": "2020-06-30"}
            ],
        },
        "employment": {
            "employer_type": "enterprise",
            "county": COUNTY,
            "start_date": start,
            "social_insurance_local": True,
        },
        "family": [],
    }


def main() -> None:
    wire()
    tag = uuid.uuid4().hex[:6]
    this_month = month_start(clock.today())
    months = [add_months(this_month, -back) for back in (2, 1, 0)]
    number = random_id_number()
    with session_scope(database_url()) as s:
        talent = register_talent(
            s, f"tv{tag}", PASSWORD, "试博士", number, profile(f"{months[0]:%Y-%m-%d}")
        )
        county = create_account(
            s, f"tvc{tag}", PASSWORD, "试验区人才办", Role.county_reviewer, county=COUNTY
        )
        city = create_account(s, f"tvcity{tag}", PASSWORD, "试验市委人才办", Role.city_reviewer)
        for who in ("a", "b"):
            create_account(
                s, f"tvf{who}{tag}", PASSWORD, "试验市财务", Role.finance, jurisdiction="testville"
            )
        set_validity(s, "admin", "T", 24, "测试：管理员设定")
        for program in ("card.t", "tv.doctor.living_allowance"):
            case = apply(s, talent, program, uuid.uuid4().hex)
            decide(s, county, case, "approve", None, case.version)
            decide(s, city, case, "approve", None, case.version)
            assert case.status == "approved", (program, case.status)
        register_point(s, f"TVBUS-{tag}", "试验公交1路", "bus", f"tvbus{tag}", PASSWORD, COUNTY)
        set_payee(s, number, "试博士", "6222000000009901", "试验银行", "test")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contributions.csv"
        rows = [f"{number},{uscc(991)},{month:%Y-%m},试验市" for month in months]
        path.write_text("身份证号,单位统一社会信用代码,所属期,参保地\n" + "\n".join(rows) + "\n")
        with session_scope(database_url()) as s:
            load(s, "contributions", FileSource(path), "test", Path(folder) / "rejects")
    json.dump({"tag": tag, "month": f"{this_month:%Y-%m}"}, sys.stdout)


if __name__ == "__main__":
    main()
