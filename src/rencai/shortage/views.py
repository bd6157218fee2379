"""What the API, the pages, the exports and the CLI show of needs, catalogues and matches."""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from sqlalchemy.orm import Session

from rencai import clock
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import mask_name
from rencai.registry.models import Employer
from rencai.shortage.matching import DEGREE_LABELS, SKILL_LABELS
from rencai.shortage.models import ShortageCatalogue, ShortageNeed, ShortageOccupation
from rencai.shortage.service import INDUSTRIES, STATUS_LABELS, Match, occupations
from rencai.views import View


class NeedView(View):
    id: int
    employer: str
    year: int
    jurisdiction: str
    county: str
    county_name: str
    position: str
    industry: str
    industry_label: str
    discipline: str | None
    degree: str | None
    degree_label: str
    skill_level: str | None
    skill_label: str
    count: int
    pay: str  # 元/年
    program: str | None
    status: str
    status_label: str
    review_note: str | None


def need_view(session: Session, need: ShortageNeed) -> NeedView:
    employer = session.get(Employer, need.employer_id)
    return NeedView.of_row(
        need,
        employer=employer.name if employer else "",
        county_name=vocabulary().counties[need.county].name,
        industry_label=INDUSTRIES[need.industry],
        degree_label=f"{DEGREE_LABELS[need.degree]}及以上" if need.degree else "不限",
        skill_label=f"{SKILL_LABELS[need.skill_level]}及以上" if need.skill_level else "不限",
        pay=f"{need.pay_min_yuan}—{need.pay_max_yuan}元/年",
        status_label=STATUS_LABELS.get(need.status, need.status),
    )


class CatalogueView(View):
    jurisdiction: str
    city: str
    year: int
    title: str
    published_at: dt.datetime
    published: str
    needs: list[NeedView]
    occupations: list[OccupationView] = Field(default_factory=list)


class OccupationView(View):
    """An occupation (工种/职业) of the catalogue's part the office maintains (decision 0186)."""

    id: int
    jurisdiction: str
    year: int
    name: str
    source: str
    published: bool


def occupation_view(row: ShortageOccupation) -> OccupationView:
    return OccupationView.of_row(row, published=row.catalogue_id is not None)


def catalogue_view(
    session: Session, catalogue: ShortageCatalogue, needs: list[ShortageNeed]
) -> CatalogueView:
    return CatalogueView(
        jurisdiction=catalogue.jurisdiction,
        city=vocabulary().label("jurisdiction", catalogue.jurisdiction),
        year=catalogue.year,
        title=catalogue.title,
        published_at=catalogue.published_at,
        published=clock.display(catalogue.published_at),
        needs=[need_view(session, n) for n in needs],
        occupations=[
            occupation_view(o) for o in occupations(session, catalogue.jurisdiction, catalogue.year)
        ],
    )


class LineView(View):
    requirement: str
    met: bool
    fact: str


class MatchView(View):
    need: NeedView
    full: bool
    lines: list[LineView]
    may_apply: bool


class CandidateView(View):
    talent_id: int
    name: str  # masked
    full: bool
    lines: list[LineView]


def _lines(match: Match) -> list[LineView]:
    return [LineView(requirement=x.requirement, met=x.met, fact=x.fact) for x in match.lines]


def match_view(session: Session, match: Match) -> MatchView:
    return MatchView(
        need=need_view(session, match.need),
        full=match.full,
        lines=_lines(match),
        may_apply=match.full and match.need.program is not None,
    )


def candidate_view(match: Match) -> CandidateView:
    return CandidateView(
        talent_id=match.talent.id,
        name=mask_name(match.talent.name),
        full=match.full,
        lines=_lines(match),
    )
