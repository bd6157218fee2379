"""Population mode: build an OpenFisca simulation straight from columns.

OpenFisca's own builders go through per-person dictionaries or string role arrays, whose cost grows
with the population; here each entity is given its count and membership arrays directly, so that a
million people load in milliseconds. The same builder serves the one-profile calculator (a
population of one talent and their relatives), so both modes run the very same formulas.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any

import numpy as np
from openfisca_core.periods import period as make_period
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.contract.profile import Profile, Unit
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import (
    AWARD_GRADES,
    AWARD_KINDS,
    AWARD_LEVELS,
    DEGREE_ORDER,
    EDUCATION_LEVELS,
    HONOR_MASKS,
    HONOR_SLOT,
    RECOGNITIONS,
    SPECIALISED_TITLES,
    TAG_BIT,
    UNIT_CHOICES,
    UNIT_COUNTS,
    UNIT_FLAGS,
    UNIT_OPEN,
    UNIT_YUAN,
    UNSTATED_FACTS,
    County,
    DrugRoute,
    EmployerType,
    EmploymentMode,
    GazelleCategory,
    HighTechCertification,
    IntroducedFrom,
    PostdocPlatform,
    ProfessionalTitle,
    Relation,
    SchoolTrainingBase,
    SkillCertificate,
    SkillLevel,
    award_column,
    county_member,
    unstated_column,
)

NO_DATE = np.datetime64("1900-01-01")


@dataclass
class Population:
    """Columns for persons and employers, and who belongs to which family and employer.

    ``family`` / ``employer`` hold the group index of each person; ``None`` means each person is a
    group of their own (the usual case when screening talents). ``relative`` marks persons who
    are relatives in their family (role ``relative``); the others are the family's talent.
    """

    count: int
    persons: Mapping[str, np.ndarray]
    employers: Mapping[str, np.ndarray] = field(default_factory=dict)
    family: np.ndarray | None = None
    employer: np.ndarray | None = None
    relative: np.ndarray | None = None

    @property
    def family_count(self) -> int:
        return self.count if self.family is None else int(self.family.max()) + 1

    @property
    def employer_count(self) -> int:
        return self.count if self.employer is None else int(self.employer.max()) + 1


class LazyInputs(Simulation):
    """A simulation whose input columns are loaded when a calculation first asks for them
    (``set_inputs_lazily``): a calculator batch loads only what its formulas read. Every read of
    a variable goes through ``calculate`` (formulas read through their population, which asks
    the simulation), so a column is loaded, as ``set_inputs`` would have loaded it, before its
    first read."""

    pending: dict[str, tuple[Mapping[str, np.ndarray], Any]]  # name -> (columns, day)

    def calculate(self, variable_name: str, period: Any) -> Any:
        pending = self.pending
        if pending and variable_name in pending:
            columns, day = pending.pop(variable_name)
            _set_input(self, variable_name, columns[variable_name], day)
        return super().calculate(variable_name, period)


def build_simulation(
    system: TaxBenefitSystem, population: Population, lazy: bool = False
) -> Simulation:
    populations = system.instantiate_entities()
    n = population.count
    person_ids = np.arange(n)
    for key, entity_population in populations.items():
        if key == "person":
            entity_population.count = n
            entity_population.ids = person_ids
            continue
        members = getattr(population, key)
        count = population.family_count if key == "family" else population.employer_count
        entity_population.count = count
        entity_population.ids = np.arange(count)
        entity_population.members_entity_id = person_ids if members is None else members
        if key == "family" and population.relative is not None:
            roles = entity_population.entity.flattened_roles  # [talent, relative]
            entity_population.members_role = np.where(population.relative, roles[1], roles[0])
    if lazy:
        simulation: Simulation = LazyInputs(system, populations)
        simulation.pending = {}
    else:
        simulation = Simulation(system, populations)
    return simulation


def set_inputs(simulation: Simulation, population: Population, on: dt.date) -> None:
    """Load the columns; for small populations, columns that only hold the variable's default
    are skipped (OpenFisca supplies the default), which keeps the one-profile path short."""
    day = make_period(on.isoformat())
    for columns in (population.persons, population.employers):
        for name, values in columns.items():
            _set_input(simulation, name, values, day)


def set_inputs_lazily(simulation: LazyInputs, population: Population, on: dt.date) -> None:
    """``set_inputs``, each column loaded (and, in a batch, made) only when first read."""
    day = make_period(on.isoformat())
    for columns in (population.persons, population.employers):
        for name in columns:
            simulation.pending[name] = (columns, day)


def _set_input(simulation: Simulation, name: str, values: np.ndarray, day: Any) -> None:
    """One column loaded (for small populations, not when it only holds the default)."""
    variable = simulation.tax_benefit_system.variables[name]
    if len(values) <= 64 and _all_default(values, variable.default_value):
        return
    simulation.set_input(name, day, values)


def _all_default(values: np.ndarray, default: object) -> bool:
    if isinstance(default, dt.date):
        return bool((values == np.datetime64(default.isoformat())).all())
    if hasattr(default, "index"):  # an enum member: columns hold indices
        return bool((values == default.index).all())
    return bool((values == default).all())


# --- one profile → columns ------------------------------------------------------------------


@dataclass
class EncodedProfile:
    population: Population
    missing: set[str]  # contract paths the profile leaves open


def _date(value: dt.date | None) -> np.datetime64:
    return NO_DATE if value is None else np.datetime64(value.isoformat())


INT32_MAX = 2**31 - 1


def whole_yuan(amount: Decimal | None) -> int:
    """Whole yuan, rounded down and capped at int32: exact for thresholds stated in yuan (a
    salary of 499999.99 stays below 500000); amounts above 21亿 only ever exceed thresholds."""
    return 0 if amount is None else min(int(amount), INT32_MAX)


def unit_columns(unit: Unit | None, column: Any) -> dict[str, Any]:
    """The unit's facts (石政办函〔2021〕42号) as columns: the talent's row holds them."""
    result: dict[str, Any] = {}
    for name, enum in UNIT_CHOICES.items():
        code = getattr(unit, name) if unit else "none"
        member = "p" + code if name == "clinical_phase_completed" and code != "none" else code
        result[f"unit_{name}"] = column(enum[member].index, 0, np.int16)
    for name in UNIT_FLAGS:
        result[f"unit_{name}"] = column(bool(unit and getattr(unit, name)), False)
    for name in UNIT_YUAN:
        value = getattr(unit, name) if unit else 0
        result[f"unit_{name}"] = column(np.nan if value is None else float(value), 0.0)
    route = (
        "unknown"
        if unit is None or unit.drug_rd_awarded is None
        else ("awarded" if unit.drug_rd_awarded else "not_awarded")
    )
    result["unit_drug_route"] = column(DrugRoute[route].index, 0, np.int16)
    for name in UNIT_COUNTS:
        result[f"unit_{name}"] = column((getattr(unit, name) or 0) if unit else 0, 0, np.int32)
    titles = set(unit.specialised_titles) if unit else set()
    for code in SPECIALISED_TITLES:
        result[f"unit_title_{code}"] = column(code in titles, False)
    return result


def encode_profile(profile: Profile) -> EncodedProfile:
    """The profile's talent (index 0) and each family member (1..n) as a small population."""
    persons, employers, count, missing = _encode(profile, np.array)
    population = Population(
        count=count,
        persons=persons,
        employers=employers,
        family=np.zeros(count, dtype=np.int64),
        employer=np.zeros(count, dtype=np.int64),
        relative=np.array([False] + [True] * (count - 1)),
    )
    return EncodedProfile(population, missing)


@dataclass
class EncodedBatch:
    """Several profiles' persons as one population, profile after profile (each profile's
    talent, then its relatives; a family and an employer per profile)."""

    population: Population
    counts: list[int]  # persons per profile
    missing: list[set[str]]  # per profile: contract paths it leaves open


def _column(values: list[Any], dtype: Any = None) -> tuple[list[Any], Any]:
    """A batch's column given whole (every person's value): kept as is until joined."""
    return values, dtype


def _talent_value(talent: Any, relative: Any, dtype: Any = None) -> Any:
    """A batch's column that holds one value for the talent and a fixed one for every
    relative: only the talent's is kept (``_layout`` knows the relatives' and the dtype)."""
    return talent


def _column_maker(array: Any, others: int) -> Callable[..., Any]:
    """A column of the talent's value and each relative's (``others`` of them)."""
    if array is _column:  # a batch's columns: the talent's value (``_talent_value``)
        return _talent_value

    def column(talent_value: Any, relative_value: Any, dtype: Any = None) -> Any:
        return array(
            [talent_value, *[relative_value] * others] if others else [talent_value], dtype
        )

    return column


Layout = dict[str, tuple[bool, Any, Any]]  # name -> (one value per profile, relatives', dtype)


@functools.cache
def _layout() -> tuple[Layout, Layout]:
    """How each column of a batch is made, the same for every profile (persons, employers):
    whether a profile gives the talent's value only (then the relatives' value, fixed, and the
    dtype) or every person's values. Read once per process from an empty profile's columns."""

    def whole(values: Any, dtype: Any = None) -> tuple[bool, Any, Any]:
        return False, None, None

    def recording(others: int) -> Callable[..., Any]:
        return lambda talent, relative, dtype=None: (True, relative, dtype)

    persons, employers, _, _ = _encode(
        Profile.model_validate({"jurisdiction": "shijiazhuang"}), whole, recording
    )
    return persons, employers


@functools.cache
def _no_unit_columns() -> dict[str, Any]:
    """A batch's columns of a profile without a unit (the talent's values, the same for every
    such profile): worked out once per process; ``encode_profiles`` only reads them."""
    return unit_columns(None, _talent_value)


class BatchColumns(Mapping[str, np.ndarray]):
    """A batch's columns, each joined into one array for all its persons when first read (a
    calculator batch's simulation reads only the columns its formulas read)."""

    def __init__(self, parts: list[dict[str, Any]], counts: list[int], layout: Layout):
        self.parts = parts
        self.counts = counts
        self.layout = layout
        self.alone = all(count == 1 for count in counts)  # no profile with relatives
        self.joined: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        found = self.joined.get(name)
        if found is None:
            found = self.joined[name] = self._join(name)
        return found

    def _join(self, name: str) -> np.ndarray:
        one, relative, dtype = self.layout[name]
        parts = self.parts
        if not one:  # every person's values, given whole
            dtype = parts[0][name][1]
            return np.array(list(chain.from_iterable(part[name][0] for part in parts)), dtype)
        if self.alone:
            return np.array([part[name] for part in parts], dtype)
        values: list[Any] = []
        for part, count in zip(parts, self.counts, strict=True):
            values.append(part[name])
            if count > 1:
                values.extend([relative] * (count - 1))
        return np.array(values, dtype)

    def __iter__(self) -> Iterator[str]:
        return iter(self.layout)

    def __len__(self) -> int:
        return len(self.layout)


def encode_profiles(profiles: list[Profile]) -> EncodedBatch:
    """The profiles' ``encode_profile`` concatenated (``explain.subject.one_by_one``), equal
    column for column; each profile gives its talent's values (and whole columns where the
    relatives' values are their own), and each column becomes one array for the whole batch
    when first read (the calculator's micro-batches)."""
    parts = [_encode(profile, _column) for profile in profiles]
    counts = [part[2] for part in parts]
    persons_layout, employers_layout = _layout()
    n = sum(counts)
    numbers = np.repeat(np.arange(len(profiles), dtype=np.int64), counts)
    relative = np.ones(n, dtype=bool)
    relative[np.cumsum([0, *counts[:-1]])] = False
    population = Population(
        count=n,
        persons=BatchColumns([part[0] for part in parts], counts, persons_layout),
        employers=BatchColumns([part[1] for part in parts], [1] * len(parts), employers_layout),
        family=numbers,
        employer=numbers.copy(),
        relative=relative,
    )
    return EncodedBatch(population, counts, [part[3] for part in parts])


# the names of the columns read per education level and per science award (in column order)
_EDUCATION_COLUMNS = tuple(
    (level, f"full_time_{level}_tags", f"graduation_{level}", f"full_time_graduation_{level}")
    for level in EDUCATION_LEVELS
)
_AWARD_COLUMNS = tuple(
    award_column(award_level, kind, grade)
    for award_level in AWARD_LEVELS
    for kind in AWARD_KINDS
    for grade in AWARD_GRADES
)


def _encode(
    profile: Profile, array: Any, maker: Callable[[int], Callable[..., Any]] | None = None
) -> tuple[dict[str, Any], dict[str, Any], int, set[str]]:
    """The profile's columns (persons, employers), its persons and its open fields; ``array``
    makes a column from its values and dtype, ``maker`` (default ``_column_maker``) the one
    column of a talent's value and the relatives' fixed value."""
    p, e = profile.person, profile.employment
    missing: set[str] = set()
    if p.birth_date is None:
        missing.add("person.birth_date")
    if p.education is None:
        missing.add("person.education")
    for name in ("employer_type", "county", "introduced_from", "start_date"):
        if getattr(e, name) is None:
            missing.add(f"employment.{name}")
    if e.social_insurance_local is None:
        missing.add("employment.social_insurance_local")
    if profile.family is None:
        missing.add("family")
    for name in ("annual_salary", "employer_tax_last_year"):
        if getattr(e, name) is None:
            missing.add(f"employment.{name}")
    if p.unemployment_insurance_months is None:
        missing.add("person.unemployment_insurance_months")
    if p.skill_certificate != "none" and p.skill_certificate_date is None:
        missing.add("person.skill_certificate_date")
    housing, unit = profile.housing, profile.unit
    if housing is not None:
        for name in (
            "resides_in_main_city",
            "owns_property_in_main_city",
            "household_size",
            "lease_filed",
        ):
            if getattr(housing, name) is None:
                missing.add(f"housing.{name}")

    if unit is not None:
        for name in (*UNIT_OPEN, "major_project_year", "drug_rd_awarded"):
            if getattr(unit, name) is None:
                missing.add(f"unit.{name}")

    a_class = vocabulary().a_class_set
    tags_any = 0
    level_tags = dict.fromkeys(EDUCATION_LEVELS, 0)
    graduated: dict[str, dt.date] = {}
    graduated_full_time: dict[str, dt.date] = {}
    highest, highest_ft = 0, 0
    for entry in p.education or []:
        if entry.degree in level_tags:
            if entry.graduation_date is None:
                missing.add("person.education.graduation_date")
            else:
                latest = max(
                    graduated.get(entry.degree, entry.graduation_date), entry.graduation_date
                )
                graduated[entry.degree] = latest
                if entry.full_time:
                    graduated_full_time[entry.degree] = max(
                        graduated_full_time.get(entry.degree, entry.graduation_date),
                        entry.graduation_date,
                    )
        bits = 0
        for tag in entry.school_tags:
            bits |= TAG_BIT[tag]
        if (entry.school, entry.discipline) in a_class:
            bits |= TAG_BIT["a_class_discipline"]
        tags_any |= bits
        level = DEGREE_ORDER.index(entry.degree)
        highest = max(highest, level)
        if entry.full_time is None and entry.degree != "none":
            missing.add("person.education.full_time")
        if entry.full_time and entry.degree in level_tags:
            highest_ft = max(highest_ft, level)
            level_tags[entry.degree] |= bits

    relatives = profile.family or []
    n = 1 + len(relatives)

    others = len(relatives)

    column = _column_maker(array, others) if maker is None else maker(others)

    persons: dict[str, Any] = {
        "birth_date": array(
            [_date(p.birth_date)] + [_date(r.birth_date) for r in relatives], dtype="datetime64[D]"
        ),
        "relation": array(
            [Relation.self.index] + [Relation[r.relation].index for r in relatives], dtype=np.int16
        ),
        "highest_degree": column(highest, 0, np.int16),
        "highest_full_time_degree": column(highest_ft, 0, np.int16),
        "school_tags_any": column(tags_any, 0, np.int32),
        "professional_title": column(ProfessionalTitle[p.professional_title].index, 0, np.int16),
        "skill_level": column(SkillLevel[p.skill_level].index, 0, np.int16),
        "shortage_occupation": column(p.shortage_occupation, False),
        "catalogued_occupation": column(p.catalogued_occupation, False),
        "invention_patents": column(p.invention_patents, 0, np.int32),
        "patents_commercialised_locally": column(p.patents_commercialised_locally, False),
        "management_provincial_honor": column(p.management.provincial_honor, False),
        "management_china500_middle_manager": column(p.management.china500_middle_manager, False),
        "management_leads_above_scale_enterprise": column(
            p.management.leads_above_scale_enterprise, False
        ),
        "county": column(
            County[county_member(e.county)].index if e.county else County.unknown.index,
            County.unknown.index,
            np.int16,
        ),
        "introduced_from": column(
            IntroducedFrom[e.introduced_from or "unknown"].index,
            IntroducedFrom.unknown.index,
            np.int16,
        ),
        "employment_mode": column(EmploymentMode[e.mode].index, 0, np.int16),
        "start_date": column(_date(e.start_date), NO_DATE, "datetime64[D]"),
        "social_insurance_local": column(bool(e.social_insurance_local), False),
        "annual_salary_yuan": column(whole_yuan(e.annual_salary), 0, np.int32),
        "employed": array([True] + [r.employed is not False for r in relatives], dtype=bool),
        "unit_declared": column(unit is not None, False),
        "unit_high_tech_certification": column(
            HighTechCertification[unit.high_tech_certification if unit else "none"].index,
            0,
            np.int16,
        ),
        "unit_new_gazelle": column(bool(unit and unit.new_gazelle), False),
        "unit_new_eaglet": column(bool(unit and unit.new_eaglet), False),
        "unit_new_city_training_base": column(bool(unit and unit.new_city_training_base), False),
        "unit_new_city_master_studio": column(bool(unit and unit.new_city_master_studio), False),
        "unit_new_postdoc_platform": column(
            PostdocPlatform[unit.new_postdoc_platform if unit else "none"].index, 0, np.int16
        ),
        **(_no_unit_columns() if unit is None and array is _column else unit_columns(unit, column)),
        # -- inputs of the grants added with the inventory of granting clauses --
        "unit_new_city_innovation_studio": column(
            bool(unit and unit.new_city_innovation_studio), False
        ),
        "unit_first_gazelle_category": column(
            GazelleCategory[unit.first_gazelle_category if unit else "none"].index, 0, np.int16
        ),
        "unit_park_dormitory_housing": column(bool(unit and unit.park_dormitory_housing), False),
        "unit_rental_housing_certified": column(
            bool(unit and unit.rental_housing_certified), False
        ),
        "unit_new_school_training_base": column(
            SchoolTrainingBase[unit.new_school_training_base if unit else "none"].index, 0, np.int16
        ),
        "unit_new_city_industry_institute": column(
            bool(unit and unit.new_city_industry_institute), False
        ),
        "postdoc_in_station": column(p.postdoc_in_station, False),
        "national_class1_competition_place": column(
            p.national_class1_competition_place or 0, 0, np.int32
        ),
        "unemployment_insurance_months": column(p.unemployment_insurance_months or 0, 0, np.int32),
        "skill_certificate": column(SkillCertificate[p.skill_certificate].index, 0, np.int16),
        "skill_certificate_date": column(_date(p.skill_certificate_date), NO_DATE, "datetime64[D]"),
        **{
            name: column(np.nan if value is None else float(value), 0.0)
            for name, value in (
                ("startup_social_insurance_paid", p.startup_social_insurance_paid),
                ("instrument_sharing_fees", p.instrument_sharing_fees),
                ("city_revenue_contribution", p.city_revenue_contribution),
            )
        },
        "employer_two_leading_industries": column(e.employer_two_leading_industries, False),
        "housing_declared": column(housing is not None, False),
        "housing_resides_main_city": column(bool(housing and housing.resides_in_main_city), False),
        "housing_owns_property": column(
            bool(housing and housing.owns_property_in_main_city), False
        ),
        "housing_household_size": column(
            (housing.household_size or 0) if housing else 0, 0, np.int32
        ),
        "housing_lease_filed": column(bool(housing and housing.lease_filed), False),
        "housing_in_kind": column(bool(housing and housing.in_kind_allocation), False),
    }
    if any(r.relation == "spouse" and r.employed is None for r in relatives):
        missing.add("family.employed")
    # the talent's unstated facts, for population mode's three states (decision 0368)
    for path in UNSTATED_FACTS:
        persons[unstated_column(path)] = column(path in missing, False)
    for education_level, tags_name, graduation, full_time_graduation in _EDUCATION_COLUMNS:
        persons[tags_name] = column(level_tags[education_level], 0, np.int32)
        persons[graduation] = column(
            _date(graduated.get(education_level)), NO_DATE, "datetime64[D]"
        )
        persons[full_time_graduation] = column(
            _date(graduated_full_time.get(education_level)), NO_DATE, "datetime64[D]"
        )
    best: dict[str, int] = {}
    for award in p.science_awards:
        key = award_column(award.level, award.kind, str(award.grade))
        best[key] = min(best.get(key, award.rank), award.rank)
    for key in _AWARD_COLUMNS:
        persons[key] = column(best.get(key, 0), 0, np.int32)
    honors, recognitions = set(p.honors), set(p.recognitions)
    masks = dict.fromkeys(HONOR_MASKS, 0)
    for code in honors:
        mask, bit = HONOR_SLOT[code]
        masks[mask] |= bit
    for mask, bits in masks.items():
        persons[mask] = column(bits, 0, np.int32)
    for code in RECOGNITIONS:
        persons[f"recognition_{code}"] = column(code in recognitions, False)

    employers = {
        "employer_type": array([EmployerType[e.employer_type or "unknown"].index], dtype=np.int16),
        "employer_leading_industry": array([e.employer_leading_industry]),
        "employer_high_tech": array([e.employer_high_tech]),
        "employer_tax_last_year_yuan": array([whole_yuan(e.employer_tax_last_year)], np.int32),
    }
    return persons, employers, n, missing
