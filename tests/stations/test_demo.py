"""The demo world shows a station with stays (checked in, a no-show), its month's cost, a
Cangzhou station waiting for its limits, and a published catalogue with a matched graduate."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.models import Account, TalentProfile
from rencai.shortage import service as shortage
from rencai.stations import service as stations
from rencai.stations.models import StationBooking


def test_demo_stations_and_catalogue(demo_url: str) -> None:
    with session_scope(demo_url) as session:
        states = Counter(b.status for b in session.scalars(select(StationBooking)))
        assert states == {"checked_in": 2, "no_show": 1}
        costs = {
            c.station: c.amount_fen
            for c in stations.monthly_costs(session, "shijiazhuang", "2023-07")
        }
        assert costs == {
            "长安青年人才驿站（示例快捷酒店）": 3 * 18000,
            "鹿泉青年人才驿站（示例公寓）": 7 * 20000,  # the hotel's 220 yuan, paid up to 200
        }
        assert stations.policy_of(session, "cangzhou") is None
        jinzhou = stations.policy_of(session, "jinzhou")  # the administrator's, with conditions
        assert jinzhou is not None and jinzhou.from_administrator and len(jinzhou.criteria) == 4
        catalogue = shortage.catalogue_or_404(session, "shijiazhuang", clock.today().year)
        assert len(shortage.catalogue_needs(session, catalogue)) == 3
        listed = shortage.occupations(session, "shijiazhuang", clock.today().year)
        assert {o.name for o in listed} == {"焊工", "电工", "数控车工"}
        assert len(shortage.waiting(session)) == 1
        account = session.scalars(select(Account).where(Account.username == "demo_graduate")).one()
        graduate = session.scalars(
            select(TalentProfile).where(TalentProfile.account_id == account.id)
        ).one()
        best = shortage.matches_for(session, graduate)[0]
        assert best.need.position == "药物研发工程师" and best.full
