"""The screening's compact store: one row per person, derived once from the Parquet store.

The Parquet files stay the authority (claims, audits and exports read them); this file is what
the screening reads instead of decoding them, when it is fresh and the day allows (decision
0229). ``screening.arrow`` is an uncompressed Arrow IPC file, memory-mapped and sliced by
position (row ``pid``), one record batch per ``BATCH`` persons; ``screening.json`` beside it
records what it was built from.

Per person, what the rules read of employment and education, reduced to one row:

- the last unbroken spell of contributions (社保 runs chained exactly as the screening chains
  them): its last month, its first day, the employer as a row of the employers' table (-1: none
  or not in 市场监管) and the region of its last run (an index into ``regions``);
- the wage income (税务) of each year of the store, in whole yuan, as the screening sums it;
- 学信: the highest degree, the highest full-time degree, all school tags, and per level the
  latest graduation, the latest full-time graduation and the full-time school tags;
- 户籍: the county of the first residence record (an index into ``regions``, -1: none);
- the birth date, the identity number and the name (the last two only read for result rows).

What depends on the screening's day is left to the reader: whether the spell is current and
the year of the salary. What would also depend on it — a contribution month or a graduation
after the day — cannot occur when the day is on or after the store's horizon (the latest
contribution month and graduation in it); for an earlier day the screening reads the Parquet
files as before. Regions are kept as codes so that one file serves every jurisdiction.

Freshness: ``screening.json`` holds, for each source file, its size and modification time
(nanoseconds) and the compact file's own; a store whose files no longer match reads Parquet
(``open_compact`` returns None) until ``build`` runs again. It is built whenever a store is
written (``synthesize`` here, ``export.export_store`` for the loaded feeds), so every load that
changes the feeds rebuilds it with the new build of the store.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

from rencai.feeds import store
from rencai.feeds.columns import (
    INT32_MAX,
    NO_DAY,
    Chunk,
    Employers,
    Employment,
    _day,
    _days,
    _here,
    _last_per_person,
    _months,
    _same_employer,
    _uniform_width,
    degree_facts,
)
from rencai.feeds.store import check_store, path_of, read_range
from rencai.policy.engine.model import (
    EDUCATION_LEVELS,
    County,
    EmployerType,
    IntroducedFrom,
)
from rencai.policy.engine.population import Population

FILE = "screening.arrow"
META = "screening.json"
VERSION = 1
# persons per record batch: a screening range (a multiple of it) is sliced without a copy
BATCH = 500_000
SOURCES = ("persons", "insurance_spells", "tax", "degrees", "residence", "employers")
NO_MONTH = np.iinfo(np.int32).min


def _stat(path: Path) -> list[int]:
    found = path.stat()
    return [found.st_size, found.st_mtime_ns]


def fingerprint(directory: Path) -> dict[str, list[int]]:
    """Size and modification time of each source file."""
    return {name: _stat(path_of(directory, name)) for name in SOURCES}


def _schema(years: list[int]) -> pa.Schema:
    fields = [
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("birth", pa.int32()),
        ("spell_month", pa.int32()),
        ("spell_start", pa.int32()),
        ("employer", pa.int32()),
        ("spell_region", pa.int16()),
        *[(f"salary_{y}", pa.int32()) for y in years],
        ("highest", pa.int8()),
        ("highest_full_time", pa.int8()),
        ("tags_any", pa.int32()),
    ]
    for code in EDUCATION_LEVELS:
        fields += [
            (f"graduation_{code}", pa.int32()),
            (f"full_time_graduation_{code}", pa.int32()),
            (f"full_time_{code}_tags", pa.int32()),
        ]
    fields.append(("residence_region", pa.int16()))
    return pa.schema(fields)


class _Regions:
    """Region codes as small integers, in the order first met (kept in ``screening.json``)."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.index: dict[str, int] = {}

    def of(self, column: pa.ChunkedArray | pa.Array) -> np.ndarray:
        encoded = column.dictionary_encode() if not pa.types.is_dictionary(column.type) else column
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.unify_dictionaries().combine_chunks()
        table = []
        for code in encoded.dictionary.to_pylist():
            if code not in self.index:
                self.index[code] = len(self.codes)
                self.codes.append(code)
            table.append(self.index[code])
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        return np.array(table or [0], dtype=np.int16)[indices] if len(indices) else indices


def synthesize(persons: int, out: Path, **options: Any) -> int:
    """``store.synthesize`` followed by the compact file of the store it wrote; the number of
    planted persons."""
    planted = store.synthesize(persons, out, **options)
    build(out)
    return planted


def build(directory: Path) -> Path:
    """Write the compact file of a store (replacing one there) and its record; its path."""
    directory = Path(directory)
    count = check_store(directory)
    employers = Employers(directory)
    tax_years = pq.read_table(path_of(directory, "tax"), columns=["year"])["year"].to_numpy()
    years = sorted(int(y) for y in np.unique(tax_years))
    schema = _schema(years)
    regions = _Regions()
    horizon_month, horizon_day = NO_MONTH, NO_DAY
    target = directory / FILE
    scratch = directory / (FILE + ".part")
    with (
        pa.OSFile(str(scratch), "wb") as sink,
        pa.ipc.new_file(sink, schema) as writer,
    ):
        for lo in range(0, count, BATCH):
            hi = min(count, lo + BATCH)
            batch, month, day = _facts(directory, lo, hi, employers, years, regions, schema)
            horizon_month, horizon_day = max(horizon_month, month), max(horizon_day, day)
            writer.write_table(batch, max_chunksize=BATCH)
    os.replace(scratch, target)
    record = {
        "version": VERSION,
        "persons": count,
        "batch": BATCH,
        "years": years,
        "regions": regions.codes,
        # the latest contribution month (months since 1970-01) and graduation (days since
        # 1970-01-01): a screening day before them reads the Parquet files
        "horizon_month": int(horizon_month),
        "horizon_day": int(horizon_day),
        "sources": fingerprint(directory),
        "compact": _stat(target),
    }
    (directory / META).write_text(json.dumps(record), encoding="utf-8")
    return target


def _facts(
    directory: Path,
    lo: int,
    hi: int,
    employers: Employers,
    years: list[int],
    regions: _Regions,
    schema: pa.Schema,
) -> tuple[pa.Table, int, int]:
    """The rows of persons ``lo <= pid < hi``, the latest contribution month and graduation."""
    n = hi - lo
    persons = read_range(directory, "persons", lo, hi, ["id_number", "name", "birth_date"])
    columns: dict[str, object] = {
        "id_number": persons["id_number"],
        "name": persons["name"],
        "birth": _days(persons["birth_date"]).astype(np.int32),
    }
    # 社保: the last unbroken spell, chained as ``load_employment`` chains it
    si = read_range(
        directory, "insurance_spells", lo, hi, ["pid", "employer_uscc", "region", "first", "last"]
    )
    first_day, last_day = _days(si["first"]), _days(si["last"])
    local = si["pid"].to_numpy() - lo
    uscc = si["employer_uscc"].combine_chunks()
    fixed = _uniform_width(uscc)
    first_month, last_month = _months(first_day), _months(last_day)
    same_employer = _same_employer(fixed, uscc)
    new_spell = np.r_[
        True,
        (local[1:] != local[:-1]) | ~same_employer | (first_month[1:] != last_month[:-1] + 1),
    ][: len(local)]
    spell_start = np.maximum.accumulate(np.where(new_spell, np.arange(len(local)), 0))
    last = _last_per_person(local)
    who = local[last]
    if fixed is not None:
        employer_of = employers.find(fixed[last])
    else:
        employer_of = employers.lookup(uscc.take(pa.array(last)))
    region = regions.of(si["region"].fill_null("")) if len(local) else np.zeros(0, np.int16)
    month = np.full(n, NO_MONTH, dtype=np.int32)
    month[who] = last_month[last]
    start = np.full(n, NO_DAY, dtype=np.int32)
    start[who] = first_day[spell_start[last]]
    employer = np.full(n, -1, dtype=np.int32)
    employer[who] = employer_of
    spell_region = np.full(n, -1, dtype=np.int16)
    spell_region[who] = region[last]
    columns |= {
        "spell_month": month,
        "spell_start": start,
        "employer": employer,
        "spell_region": spell_region,
    }
    # 税务: each year's wage income, summed per run of a person's rows as the screening does
    tax = read_range(directory, "tax", lo, hi, ["pid", "year", "wage_income_fen"])
    year_of = tax["year"].to_numpy()
    for year in years:
        pick = year_of == year
        payer = tax["pid"].to_numpy()[pick] - lo
        fen = np.zeros(n, dtype=np.int64)
        if len(payer):
            starts = np.flatnonzero(np.r_[True, payer[1:] != payer[:-1]])
            fen[payer[starts]] = np.add.reduceat(tax["wage_income_fen"].to_numpy()[pick], starts)
        columns[f"salary_{year}"] = np.minimum(fen // 100, INT32_MAX).astype(np.int32)
    # 学信: every graduation counted (the day is on or after the horizon)
    degrees = read_range(
        directory,
        "degrees",
        lo,
        hi,
        ["pid", "school", "school_tags", "level", "discipline", "full_time", "graduated_on"],
        dictionaries=("level", "school_tags", "school", "discipline"),
    )
    facts, latest_graduation = degree_facts(degrees, degrees["pid"].to_numpy() - lo, n, None)
    columns["highest"] = facts["highest_degree"].astype(np.int8)
    columns["highest_full_time"] = facts["highest_full_time_degree"].astype(np.int8)
    columns["tags_any"] = facts["school_tags_any"]
    for code in EDUCATION_LEVELS:
        for name in (f"graduation_{code}", f"full_time_graduation_{code}"):
            columns[name] = facts[name].astype(np.int64).astype(np.int32)
        columns[f"full_time_{code}_tags"] = facts[f"full_time_{code}_tags"]
    # 户籍: the first residence record
    residence = read_range(directory, "residence", lo, hi, ["pid", "county"])
    local = residence["pid"].to_numpy() - lo
    first = np.flatnonzero(np.r_[True, local[1:] != local[:-1]]) if len(local) else local
    county = regions.of(residence["county"].fill_null("")) if len(local) else local
    residence_region = np.full(n, -1, dtype=np.int16)
    residence_region[local[first]] = county[first]
    columns["residence_region"] = residence_region
    table = pa.table(columns).cast(schema)
    latest_month = int(last_month.max()) if len(last_month) else NO_MONTH
    return table, latest_month, latest_graduation


@dataclass(frozen=True)
class Compact:
    """An opened compact file: its table (memory-mapped) and its record."""

    table: pa.Table
    record: dict

    def usable_on(self, on: dt.date) -> bool:
        """Whether the day is on or after the store's horizon (else Parquet is read)."""
        month = int(np.datetime64(on.isoformat(), "M").astype(np.int64))
        return month >= self.record["horizon_month"] and _day(on) >= self.record["horizon_day"]

    def _slice(self, lo: int, hi: int) -> pa.Table:
        return self.table.slice(lo, hi - lo)

    def _here(self, jurisdiction: str) -> np.ndarray:
        """Per region index (and -1, the last entry): 1 when it is a county of the
        jurisdiction."""
        here = _here(jurisdiction)
        return np.array([here.get(code, 0) for code in self.record["regions"]] + [0], np.int8)

    def employment(
        self, lo: int, hi: int, on: dt.date, jurisdiction: str, employers: Employers
    ) -> Employment:
        """What ``columns.load_employment`` gives for the range, from one row per person."""
        n = hi - lo
        part = self._slice(lo, hi)
        month = _numpy(part, "spell_month")
        previous_month = np.datetime64(on.isoformat(), "M").astype(np.int64) - 1
        current = month >= previous_month
        here = self._here(jurisdiction)
        local_insurance = current & (here[_numpy(part, "spell_region")] == 1)
        start = np.where(current, _numpy(part, "spell_start"), NO_DAY).astype(np.int64)
        employer_row = np.where(current, _numpy(part, "employer"), -1).astype(np.int64)
        known = np.flatnonzero(employer_row >= 0)
        employer_type = np.full(n, EmployerType.unknown.index, dtype=np.int16)
        employer_type[known] = employers.type[employer_row[known]]
        county = np.full(n, County.unknown.index, dtype=np.int16)
        county[known] = employers.county[employer_row[known]]
        name = f"salary_{on.year - 1}"
        salary = (
            _numpy(part, name).astype(np.int32, copy=True)
            if name in part.column_names
            else np.zeros(n, dtype=np.int32)
        )
        persons = {
            "social_insurance_local": local_insurance,
            "start_date": start.astype("datetime64[D]"),
            "county": county,
            "annual_salary_yuan": salary,
            "employed": np.ones(n, dtype=bool),
        }
        return Employment(
            lo=lo,
            hi=hi,
            population=Population(
                count=n, persons=persons, employers={"employer_type": employer_type}
            ),
            employer_row=employer_row,
        )

    def rest(
        self,
        employment: Employment,
        jurisdiction: str,
        employers: Employers,
        at: np.ndarray | None = None,
    ) -> Chunk:
        """What ``columns.load_rest`` gives for the range (or the places ``at``)."""
        lo, hi = employment.lo, employment.hi
        n = hi - lo
        part = self._slice(lo, hi)
        m = n if at is None else len(at)

        def column(name: str, dtype: type) -> np.ndarray:
            values = _numpy(part, name)
            return (values if at is None else values[at]).astype(dtype)

        persons: dict[str, np.ndarray] = {
            "birth_date": column("birth", np.int64).astype("datetime64[D]"),
            "highest_degree": column("highest", np.int16),
            "highest_full_time_degree": column("highest_full_time", np.int16),
            "school_tags_any": column("tags_any", np.int32),
        }
        for code in EDUCATION_LEVELS:
            for name in (f"graduation_{code}", f"full_time_graduation_{code}"):
                persons[name] = column(name, np.int64).astype("datetime64[D]")
            persons[f"full_time_{code}_tags"] = column(f"full_time_{code}_tags", np.int32)
        here = self._here(jurisdiction)
        residence = column("residence_region", np.int64)
        # local, from outside the city, unknown (no record)
        codes = np.array(
            [
                IntroducedFrom.local.index,
                IntroducedFrom.outside_city.index,
                IntroducedFrom.unknown.index,
            ],
            dtype=np.int16,
        )
        introduced = codes[np.where(residence < 0, 2, np.where(here[residence] == 1, 0, 1))]
        persons["introduced_from"] = introduced
        known = employment.population
        if at is None:
            persons |= known.persons
            employer_columns = known.employers
        else:
            persons |= {name: values[at] for name, values in known.persons.items()}
            employer_columns = {name: values[at] for name, values in known.employers.items()}
        return Chunk(
            lo=lo,
            population=Population(count=m, persons=persons, employers=employer_columns),
            persons=part.select(["id_number", "name"]),
            employers=employers,
            employer_row=employment.employer_row,
            # the result rows read it at places of the population only: those places are
            # equal whether or not the others are zeroed
            highest=_numpy(part, "highest").astype(np.int16),
            at=at,
        )


def _numpy(table: pa.Table, name: str) -> np.ndarray:
    column = table[name]
    if column.num_chunks == 1:
        return column.chunk(0).to_numpy()
    return column.to_numpy()


def is_fresh(directory: Path) -> dict | None:
    """The record of a store's compact file when it matches the store's files, else None."""
    directory = Path(directory)
    try:
        record = json.loads((directory / META).read_text(encoding="utf-8"))
        if record.get("version") != VERSION:
            return None
        if record["sources"] != fingerprint(directory):
            return None
        if record["compact"] != _stat(directory / FILE):
            return None
    except (OSError, ValueError, KeyError):
        return None
    return record


def open_compact(directory: Path) -> Compact | None:
    """The store's compact file, memory-mapped, or None when it is missing or stale."""
    record = is_fresh(directory)
    if record is None:
        return None
    path = Path(directory) / FILE
    return _open(str(path), tuple(record["compact"]), json.dumps(record))


@functools.lru_cache(maxsize=8)
def _open(path: str, stat: tuple[int, ...], record: str) -> Compact:
    table = pa.ipc.open_file(pa.memory_map(path)).read_all()
    return Compact(table=table, record=json.loads(record))
