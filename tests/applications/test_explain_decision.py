"""The clauses that decide a case (秒批's explanation): a card's item cites the card first, an item
granted by a document cites only its own clause."""

from __future__ import annotations

import datetime as dt
import json

from rencai.applications.automatic import explain_decision
from rencai.applications.models import Application
from tests.profiles import doctor


def _case(program: str, profile: dict, submitted: dt.datetime) -> Application:
    return Application(
        program=program,
        profile_snapshot=json.dumps(profile, ensure_ascii=False),
        submitted_at=submitted,
        rules_version="test",
        employer_confirmation=None,
    )


def test_an_item_granted_by_a_document_is_explained_by_its_own_clause() -> None:
    master = doctor(on="2023-06-01")
    master["person"]["education"][0].update(
        degree="master", school_tags=[], graduation_date="2022-06-30"
    )
    master["employment"]["start_date"] = "2022-08-01"
    case = _case(
        "sjz.retention.graduate_settling",
        master,
        dt.datetime(2023, 6, 1, 2, tzinfo=dt.UTC),
    )
    explanation = explain_decision(case)
    assert explanation is not None  # the result's document link is no longer taken for a card
    assert [c["document"] for c in explanation["clauses"]] == ["石政办发〔2022〕6号"]


def test_a_card_item_cites_the_card_first() -> None:
    case = _case("sjz.b.rent_subsidy", doctor(), dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC))
    explanation = explain_decision(case)
    assert explanation is not None
    documents = [c["document"] for c in explanation["clauses"]]
    assert documents[0] == "石办字〔2017〕39号"
    assert len(documents) == 2
