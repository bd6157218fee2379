"""What the API, the pages and the CLI show of stations and bookings."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from rencai.policy import stated
from rencai.policy.citations import citation_text, heading
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import masked_talent_name
from rencai.stations.models import Station, StationBooking
from rencai.stations.service import STATUS_LABELS, CostLine, Policy
from rencai.views import View


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


class StationView(View):
    id: int
    jurisdiction: str
    city: str
    county: str
    county_name: str
    name: str
    address: str
    nightly_rate: str


def station_view(station: Station) -> StationView:
    return StationView.of_row(
        station,
        city=vocabulary().label("jurisdiction", station.jurisdiction),
        county_name=vocabulary().counties[station.county].name,
        nightly_rate=yuan(station.nightly_rate_fen),
    )


class NightView(View):
    night: dt.date
    rooms: int
    free: int


class PolicyView(View):
    jurisdiction: str
    city: str
    max_nights: int | None
    nightly_cap: str | None
    rule: str | None
    set_by_administrator: bool
    basis: str
    # the eligibility conditions the administrator stated (decision 0184), as people read them
    criteria: list[str] = Field(default_factory=list)
    criteria_stored: list[dict[str, Any]] = Field(default_factory=list)


def policy_view(jurisdiction: str, policy: Policy | None) -> PolicyView:
    city = vocabulary().label("jurisdiction", jurisdiction)
    if policy is None:
        return PolicyView(
            jurisdiction=jurisdiction,
            city=city,
            max_nights=None,
            nightly_cap=None,
            rule=None,
            set_by_administrator=True,
            basis="该市政策文件未规定，管理员尚未设定",
        )
    basis = (
        "管理员设定（该市政策文件未规定）"
        if policy.citation is None
        else citation_text(policy.citation)
    )
    return PolicyView(
        jurisdiction=jurisdiction,
        city=city,
        max_nights=policy.max_nights,
        nightly_cap=yuan(policy.nightly_cap_fen),
        rule=policy.program,
        set_by_administrator=policy.citation is None,
        basis=basis,
        criteria=[stated.describe(c) for c in policy.criteria],
        criteria_stored=list(policy.criteria),
    )


class BookingView(View):
    id: int
    station_id: int
    station: str
    guest: str  # masked
    first_night: dt.date
    last_night: dt.date
    nights: int
    status: str
    status_label: str
    nightly: str
    basis: str  # the clause that grants the stay
    code: str | None = None  # the signed booking code, for its holder while it can be used


def booking_view(session: Session, booking: StationBooking, code: str | None = None) -> BookingView:
    station = session.get(Station, booking.station_id)
    check = json.loads(booking.eligibility)
    citation = check.get("citation") or {}
    return BookingView.of_row(
        booking,
        station=station.name if station else "",
        guest=masked_talent_name(session, booking.talent_id),
        last_night=booking.first_night + dt.timedelta(days=booking.nights - 1),
        status_label=STATUS_LABELS[booking.status],
        nightly=yuan(booking.nightly_fen),
        basis=heading(citation.get("document"), citation.get("clause")),
        code=code,
    )


class CostLineView(View):
    station_id: int
    station: str
    county: str
    month: str
    guests: int
    nights: int
    amount: str


def cost_view(line: CostLine) -> CostLineView:
    return CostLineView.of_row(line, amount=yuan(line.amount_fen))
