"""The entitlement calculator: profile + date → cards, services and money, each cited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai import clock
from rencai.policy.catalogue import Entry, catalogue
from rencai.policy.cities import city, names, registry
from rencai.policy.contract.profile import FieldError, Profile, ProfileError
from rencai.policy.engine.system import system_for
from rencai.policy.explain import empty_result, explain_many
from rencai.policy.rules import Program, leaves

CONTRACT_VERSION = 1


def supported_jurisdictions() -> list[str]:
    return sorted(registry())


def catalogue_only(jurisdiction: str, target: str = "person") -> list[Entry]:
    """Programs for persons (``target="employer"``: for employers) in a jurisdiction whose rules
    the seeds do not state precisely."""
    return [
        e
        for e in catalogue().search(jurisdiction=jurisdiction, target=target)
        if e.status != "computed"
    ]


CATALOGUE_NOTE = "该地区政策文件未载明可据以计算的具体条件，以下项目由主管部门认定，请咨询办理。"


def catalogue_only_result(profile: Profile, day: dt.date) -> dict[str, Any]:
    """A city whose texts state no computable rule: the programs to ask its office about — those
    for employers when the profile speaks for a unit (decision 0345)."""
    jurisdiction = profile.jurisdiction
    target = "employer" if profile.unit is not None else "person"
    entries = catalogue_only(jurisdiction, target)
    return {
        **empty_result(jurisdiction, day),
        "catalogued": [
            {
                "id": e.id,
                "name": e.name,
                "summary": e.summary,
                "citation": {
                    "document": e.document,
                    "clause": e.clause,
                    "quote": e.quote,
                },
            }
            for e in entries
        ],
        "note": CATALOGUE_NOTE,
        "contract_version": CONTRACT_VERSION,
    }


def entitlements(profile: Profile, on: dt.date | None = None) -> dict[str, Any]:
    """What the law of ``on`` (default: the profile's date, else today) grants this profile.

    Raises ProfileError when the profile asks for something the calculator cannot answer
    (a jurisdiction whose rules are not yet computed, a date before its law).
    """
    answer = entitlements_many([profile], on)[0]
    if isinstance(answer, ProfileError):
        raise answer
    return answer


def entitlements_many(
    profiles: list[Profile], on: dt.date | None = None, reference: bool = False
) -> list[dict[str, Any] | ProfileError]:
    """``entitlements`` of several profiles, each answer (or its ProfileError) in its place.
    The profiles of one jurisdiction and day share ONE simulation (``explain_many``): the
    calculator route's micro-batches; each answer is the one ``entitlements`` gives alone.
    ``reference``: explained profile by profile (the same answers, decision 0254)."""
    answers: list[dict[str, Any] | ProfileError | None] = [None] * len(profiles)
    groups: dict[tuple[str, dt.date], list[int]] = {}
    today: list[dt.date] = []  # the office's date, read once for the batch when first needed
    for i, profile in enumerate(profiles):
        try:
            day = _day(profile, on, today)
        except ProfileError as exc:
            answers[i] = exc
            continue
        if profile.jurisdiction in registry():
            groups.setdefault((profile.jurisdiction, day), []).append(i)
        else:
            answers[i] = catalogue_only_result(profile, day)
    for (code, day), members in groups.items():
        system = system_for(code)
        results = explain_many(system, [profiles[i] for i in members], day, reference)
        for i, result in zip(members, results, strict=True):
            result["contract_version"] = CONTRACT_VERSION
            answers[i] = (
                unit_view(result, system.program) if profiles[i].unit is not None else result
            )
    return [a for a in answers if a is not None]


def _day(profile: Profile, on: dt.date | None, today: list[dt.date]) -> dt.date:
    """The day asked for (else ``today``'s one date, read on first need), checked against the
    jurisdiction (ProfileError when the calculator cannot answer it)."""
    day = on or profile.on
    if day is None:
        if not today:
            today.append(clock.today())
        day = today[0]
    jurisdictions = registry()
    if profile.jurisdiction not in jurisdictions and catalogue_only(profile.jurisdiction):
        described = city(profile.jurisdiction)
        earliest = described.earliest if described is not None else None
        if earliest is not None and day < earliest:
            raise _before_policy(day, names()[profile.jurisdiction], earliest)
        return day
    if profile.jurisdiction not in jurisdictions:
        raise ProfileError(
            [
                FieldError(
                    "jurisdiction",
                    f"暂不支持计算该地区的政策（已支持：{'、'.join(supported_jurisdictions())}）",
                    "unsupported_jurisdiction",
                )
            ]
        )
    jurisdiction = jurisdictions[profile.jurisdiction]
    if day < jurisdiction.earliest:
        raise _before_policy(day, jurisdiction.name, jurisdiction.earliest)
    return day


def _before_policy(day: dt.date, city_name: str, earliest: dt.date) -> ProfileError:
    return ProfileError(
        [
            FieldError(
                "on",
                f"查询日期 {day.isoformat()} 早于本平台收录的{city_name}"
                f"人才政策施行时间（{earliest.isoformat()}）",
                "before_policy",
            )
        ]
    )


# per program (identity checked): what units receive, worked out once per process
_FOR_UNITS: dict[int, tuple[Program, frozenset[str], frozenset[str]]] = {}


def _for_units(program: Program) -> tuple[frozenset[str], frozenset[str]]:
    """The items units receive, and the parameters their rules read."""
    found = _FOR_UNITS.get(id(program))
    if found is None or found[0] is not program:
        for_units = frozenset(b.id for b in program.benefits if b.target == "employer")
        # a dated switch awaiting the administrator (a document's day of issue) that units'
        # items read
        unit_parameters = frozenset(
            read.removeprefix("parameter:")
            for b in program.benefits
            if b.target == "employer"
            for leaf in leaves(b.rule)
            for read in leaf.reads
            if read.startswith("parameter:")
        )
        found = _FOR_UNITS[id(program)] = (program, for_units, unit_parameters)
    return found[1], found[2]


def unit_view(result: dict[str, Any], program: Program) -> dict[str, Any]:
    """A profile with a `unit` section speaks for an employer: only what units receive is
    answered; the person-level sections would describe nobody."""
    for_units, unit_parameters = _for_units(program)
    result["cards"] = []
    result["recognitions"] = []
    result["may_apply"] = [e for e in result["may_apply"] if e["id"] in for_units]
    result["exclusivity"] = []
    for section in ("benefits", "not_eligible", "needs_information"):
        result[section] = [e for e in result[section] if e["id"] in for_units]
    result["needs_administrator"] = [
        e
        for e in result["needs_administrator"]
        if e.get("benefit") in for_units
        or (e.get("benefit") is None and e.get("parameter") in unit_parameters)
    ]
    return result
