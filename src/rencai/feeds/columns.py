"""From the screening store to the engine's person columns, one range of persons at a time.

Each person-keyed file is sorted by ``pid``; a chunk reads the rows of ``lo <= pid < hi`` and
places them by position (``pid - lo``), never by hashing identity numbers. What the feeds say
becomes the facts the rules read (decision 0123):

- education (学信): the highest degree, the highest full-time degree, school tags (and the A-class
  discipline tag), latest graduation per level, full-time tags per level — as a profile's list;
- employment (社保 + 市场监管): the employer of the latest contribution month, if that month is
  the day's month or the one before (deliveries lag a month); its type and registered county;
  the first month of that unbroken spell with it as the start date; local social insurance when
  that contribution was paid in a county of the jurisdiction. Read from the store's runs of
  consecutive months (``insurance_spells``), not month by month;
- salary (税务): the wage income of the last full year, all employers together, in whole yuan;
- introduced from (户籍): local when the first residence record is in the jurisdiction, else
  from outside the city; unknown without a record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rencai.feeds.store import read_employers, read_range
from rencai.policy.contract.vocabulary import vocabulary
from rencai.policy.engine.model import (
    DEGREE_ORDER,
    EDUCATION_LEVELS,
    TAG_BIT,
    County,
    EmployerType,
    IntroducedFrom,
    county_member,
)
from rencai.policy.engine.population import NO_DATE, Population

INT32_MAX = 2**31 - 1
NO_DAY = int((NO_DATE - np.datetime64("1970-01-01")).astype(np.int64))


@dataclass
class Chunk:
    """The persons of one range as the engine's columns. ``at`` holds the place in the range of
    each row of the population (None: every person of the range, in order)."""

    lo: int
    population: Population
    persons: pa.Table  # the range's rows of persons.parquet (identity number, name)
    employers: Employers
    employer_row: np.ndarray  # per place in the range: the employer's row (-1: none)
    highest: np.ndarray  # per place in the range: the highest degree (place in DEGREE_ORDER)
    at: np.ndarray | None = None

    # what a result row shows, for the places ``taken`` in the range only (never for everyone)

    def id_number(self, taken: pa.Array) -> pa.Array:
        return _take(self.persons["id_number"], taken)

    def name(self, taken: pa.Array) -> pa.Array:
        return _take(self.persons["name"], taken)

    def county(self, taken: pa.Array) -> pa.Array:
        """The employer's registered county code ("" when none)."""
        row = self.employer_row[taken.to_numpy()]
        codes = pc.take(self.employers.county_code, pa.array(np.maximum(row, 0)))
        return pc.if_else(pa.array(row < 0), pa.scalar(""), codes)

    def degree(self, taken: pa.Array) -> pa.Array:
        """The highest degree code."""
        return pc.take(_DEGREES, pa.array(self.highest[taken.to_numpy()].astype(np.int32)))


@dataclass
class Employment:
    """The first part of a range (decision 0196): what 社保, 市场监管 and 税务 say, for everyone
    of the range; enough for the gate, which then names the persons worth reading further."""

    lo: int
    hi: int
    population: Population  # these facts only
    employer_row: np.ndarray


# the facts the second part reads (profile paths): the gate is made of leaves reading none
LATER = frozenset({"person.birth_date", "person.education", "employment.introduced_from"})

_DEGREES = pa.array(DEGREE_ORDER, pa.string())


def _take(column: pa.ChunkedArray | pa.Array, taken: pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return pc.take(column, taken)


def _days(column: pa.ChunkedArray) -> np.ndarray:
    return column.cast(pa.int32()).to_numpy().astype(np.int64)


def _encoded(column: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    """A string column as one dictionary array (read as one, or encoded here)."""
    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_dictionary(column.type):
            return column.unify_dictionaries().combine_chunks()
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        return column
    return column.dictionary_encode()


def _codes(column: pa.ChunkedArray, value: dict[str, int], default: int) -> np.ndarray:
    """A string column mapped through a small dictionary (one Python call per distinct value)."""
    encoded = _encoded(column)
    table = np.array([value.get(s, default) for s in encoded.dictionary.to_pylist()] or [default])
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return table[indices] if len(indices) else np.zeros(0, dtype=table.dtype)


def _same_employer(fixed: np.ndarray | None, uscc: pa.Array) -> np.ndarray:
    """Whether each row's credit code is the one of the row before (a missing code equals
    another missing one)."""
    if fixed is not None:
        return fixed[1:] == fixed[:-1]
    if len(uscc):
        uscc = pc.fill_null(uscc, "")
        return pc.equal(uscc.slice(1), uscc.slice(0, len(uscc) - 1)).to_numpy(zero_copy_only=False)
    return np.zeros(0, dtype=bool)


def _last_per_person(local: np.ndarray) -> np.ndarray:
    """Indices of each person's last row in rows sorted by person."""
    if len(local) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[local[1:] != local[:-1], True])


class Employers:
    """The employers of a store, held once per worker: code → type, county, status."""

    def __init__(self, directory: Path):
        table = read_employers(directory)
        self.uscc = table["uscc"].combine_chunks()
        # codes as fixed-width bytes, sorted, for a binary search (no hash table per range)
        codes = _fixed_width(self.uscc)
        hashes = _hash(codes)
        self.order = np.argsort(hashes, kind="stable")
        self.sorted_hashes = hashes[self.order]
        self.sorted_codes = codes[self.order]
        # two codes with one hash (never seen with real codes): search the codes themselves
        self.by_code = bool((self.sorted_hashes[1:] == self.sorted_hashes[:-1]).any())
        if self.by_code:
            self.order = np.argsort(codes, kind="stable")
            self.sorted_codes = codes[self.order]
        else:  # an open-addressing table of the hashes, at most half full
            bits = max(4, len(hashes).bit_length() + 1)
            self.mask = np.uint64((1 << bits) - 1)
            # per slot: the hash there and the employer's row (-1: empty)
            self.slot_hash = np.zeros(1 << bits, dtype=np.uint64)
            self.slot_row = np.full(1 << bits, -1, dtype=np.int64)
            pending = np.arange(len(hashes))
            slot = (hashes & self.mask).astype(np.int64)
            while len(pending):
                free = self.slot_row[slot] < 0
                # of the codes wanting one free slot, the first takes it; the others move on
                taken, first = np.unique(slot[free], return_index=True)
                self.slot_row[taken] = pending[free][first]
                self.slot_hash[taken] = hashes[pending[free][first]]
                placed = np.zeros(len(pending), dtype=bool)
                placed[np.flatnonzero(free)[first]] = True
                pending, slot = pending[~placed], (slot[~placed] + 1) & int(self.mask)
            self.codes = codes
        types = {code: EmployerType[code].index for code in vocabulary().codes("employer_type")}
        self.type = _codes(table["employer_type"], types, EmployerType.unknown.index)
        self.county_code = table["county"].combine_chunks()
        county_index = {}
        for code in set(self.county_code.to_pylist()):
            try:
                county_index[code] = County[county_member(code)].index
            except KeyError:
                county_index[code] = County.unknown.index
        self.county = _codes(table["county"], county_index, County.unknown.index)
        self.active = table["status"].to_numpy(zero_copy_only=False) == "active"

    def lookup(self, codes: pa.Array) -> np.ndarray:
        """The row of each credit code in the employers' table, -1 when it is not there (nor
        for a missing or empty code)."""
        given = pc.fill_null(pc.binary_length(codes), 0).to_numpy(zero_copy_only=False) > 0
        if not given.all():
            rows = np.full(len(codes), -1, dtype=np.int64)
            rows[given] = self.lookup(codes.filter(pa.array(given)))
            return rows
        return self.find(_fixed_width(codes))

    def find(self, wanted: np.ndarray) -> np.ndarray:
        """``lookup`` of codes given as a numpy bytes array."""
        if len(self.sorted_codes) == 0 or len(wanted) == 0:
            return np.full(len(wanted), -1, dtype=np.int64)
        if self.by_code:
            at = np.minimum(np.searchsorted(self.sorted_codes, wanted), len(self.order) - 1)
            return np.where(self.sorted_codes[at] == wanted, self.order[at], -1).astype(np.int64)
        wanted_hash = _hash(wanted)
        rows = np.full(len(wanted), -1, dtype=np.int64)
        asking = np.arange(len(wanted))
        slot = (wanted_hash & self.mask).astype(np.int64)
        while len(asking):  # probe until the code's hash or an empty slot
            row = self.slot_row[slot]
            hit = self.slot_hash[slot] == wanted_hash[asking]
            hit &= row >= 0
            # the bytes decide: a code that is not there but shares a hash is not found
            found = np.flatnonzero(hit)
            same = self.codes[row[found]] == wanted[asking[found]]
            rows[asking[found[same]]] = row[found[same]]
            going = ~hit & (row >= 0)
            asking, slot = asking[going], (slot[going] + 1) & int(self.mask)
        return rows


def _hash(codes: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each code of a numpy bytes array, eight bytes at a time (FNV-1a style
    with a shift to mix the high bits down, vectorised over the codes): searching integers is
    several times faster than searching strings. Equal hashes are checked on the bytes."""
    width = codes.dtype.itemsize
    data = np.ascontiguousarray(codes).view(np.uint8).reshape(len(codes), width)
    if width % 8:
        data = np.hstack([data, np.zeros((len(codes), 8 - width % 8), dtype=np.uint8)])
    words = data.view(np.uint64)
    h = np.full(len(codes), 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for k in range(words.shape[1]):
            h = (h ^ words[:, k]) * prime
            h ^= h >> np.uint64(29)
    return h


def _uniform_width(codes: pa.Array) -> np.ndarray | None:
    """Strings as a numpy bytes array when none is missing and all have one length (a view
    of the Arrow buffers, not a copy); None otherwise."""
    if codes.null_count or len(codes) == 0:
        return None
    codes = codes.cast(pa.string())
    offsets = np.frombuffer(codes.buffers()[1], dtype=np.int32)[
        codes.offset : codes.offset + len(codes) + 1
    ]
    width = int(offsets[1] - offsets[0])
    if width == 0 or int(offsets[-1] - offsets[0]) != width * len(codes):
        return None
    if not bool((np.diff(offsets) == width).all()):
        return None
    data = np.frombuffer(codes.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].view(f"S{width}")


def _fixed_width(codes: pa.Array) -> np.ndarray:
    """Strings as a numpy bytes array, straight from the Arrow buffers when all have the same
    length (credit codes are 18 characters)."""
    codes = codes.cast(pa.string())
    if codes.null_count == 0 and len(codes) > 0:
        offsets = np.frombuffer(codes.buffers()[1], dtype=np.int32)[
            codes.offset : codes.offset + len(codes) + 1
        ]
        width = int(offsets[1] - offsets[0])
        if width > 0 and bool((np.diff(offsets) == width).all()):
            data = np.frombuffer(codes.buffers()[2], dtype=np.uint8)
            return data[offsets[0] : offsets[-1]].view(f"S{width}").copy()
    return np.array([(c or "").encode() for c in codes.to_pylist()], dtype=bytes)


def load_chunk(
    directory: Path, lo: int, hi: int, on: dt.date, jurisdiction: str, employers: Employers
) -> Chunk:
    """Every person of the range ``lo <= pid < hi`` as the engine's columns."""
    employment = load_employment(directory, lo, hi, on, jurisdiction, employers)
    return load_rest(directory, employment, on, jurisdiction, employers)


def _day(on: dt.date) -> int:
    return int((np.datetime64(on.isoformat()) - np.datetime64("1970-01-01")).astype(np.int64))


def _here(jurisdiction: str) -> dict[str, int]:
    return dict.fromkeys(
        (c for c, v in vocabulary().counties.items() if v.jurisdiction == jurisdiction), 1
    )


def load_employment(
    directory: Path, lo: int, hi: int, on: dt.date, jurisdiction: str, employers: Employers
) -> Employment:
    """社保 + 市场监管 + 税务 for every person of the range: the current employer, its type and
    county, the spell's start, local social insurance, last year's salary."""
    n = hi - lo
    # 社保 + 市场监管: the current employer, from the runs of consecutive months (the store's
    # insurance_spells, chained again here exactly as months would be)
    si = read_range(
        directory,
        "insurance_spells",
        lo,
        hi,
        ["pid", "employer_uscc", "region", "first", "last"],
        dictionaries=("region",),
    )
    first_day = _days(si["first"])
    last_day = _days(si["last"])
    on_month = np.datetime64(on.isoformat(), "M")
    month_day = int(
        (on_month.astype("datetime64[D]") - np.datetime64("1970-01-01")).astype(np.int64)
    )
    upto = first_day <= month_day
    local = si["pid"].to_numpy() - lo
    # the credit codes as read (a row group's dictionary is as large as its employers: no
    # dictionary decoding), as fixed-width bytes when they all have one width (credit codes
    # are 18 characters); a missing code is empty, the same as another missing one
    uscc = si["employer_uscc"].combine_chunks()
    fixed = _uniform_width(uscc)
    region = _codes(si["region"], _here(jurisdiction), 0)
    if not upto.all():  # months after the day's are not read
        first_day, last_day = first_day[upto], last_day[upto]
        local, region = local[upto], region[upto]
        if fixed is not None:
            fixed = fixed[upto]
        else:
            uscc = uscc.filter(pa.array(upto))
    last_day = np.minimum(last_day, month_day)
    first_month, last_month = _months(first_day), _months(last_day)
    same_employer = _same_employer(fixed, uscc)
    # an unbroken spell: same person, same employer, no missing month
    new_spell = np.r_[
        True,
        (local[1:] != local[:-1]) | ~same_employer | (first_month[1:] != last_month[:-1] + 1),
    ]
    spell_start = np.maximum.accumulate(np.where(new_spell, np.arange(len(local)), 0))
    last = _last_per_person(local)
    who = local[last]
    previous_month = on_month.astype(np.int64) - 1
    current = last_month[last] >= previous_month
    who, last = who[current], last[current]
    # only the current employers are looked up in the employers' table
    if fixed is not None:
        employer_of = employers.find(fixed[last])
    else:
        employer_of = employers.lookup(uscc.take(pa.array(last)))
    known = employer_of >= 0
    local_insurance = np.zeros(n, dtype=bool)
    local_insurance[who] = region[last] == 1
    start = np.full(n, NO_DAY, dtype=np.int64)
    start[who] = first_day[spell_start[last]]
    employer_type = np.full(n, EmployerType.unknown.index, dtype=np.int16)
    employer_type[who[known]] = employers.type[employer_of[known]]
    county = np.full(n, County.unknown.index, dtype=np.int16)
    county[who[known]] = employers.county[employer_of[known]]
    employer_row = np.full(n, -1, dtype=np.int64)
    employer_row[who[known]] = employer_of[known]

    # 税务: last full year's wage income
    tax = read_range(directory, "tax", lo, hi, ["pid", "year", "wage_income_fen"])
    pick = tax["year"].to_numpy() == on.year - 1
    payer = tax["pid"].to_numpy()[pick] - lo
    fen = np.zeros(n, dtype=np.int64)
    if len(payer):  # rows sorted by person: one sum per run of a person's rows
        starts = np.flatnonzero(np.r_[True, payer[1:] != payer[:-1]])
        fen[payer[starts]] = np.add.reduceat(tax["wage_income_fen"].to_numpy()[pick], starts)
    persons = {
        "social_insurance_local": local_insurance,
        "start_date": start.astype("datetime64[D]"),
        "county": county,
        "annual_salary_yuan": np.minimum(fen // 100, INT32_MAX).astype(np.int32),
        "employed": np.ones(n, dtype=bool),
    }
    return Employment(
        lo=lo,
        hi=hi,
        population=Population(count=n, persons=persons, employers={"employer_type": employer_type}),
        employer_row=employer_row,
    )


def load_rest(
    directory: Path,
    employment: Employment,
    on: dt.date,
    jurisdiction: str,
    employers: Employers,
    at: np.ndarray | None = None,
) -> Chunk:
    """The range completed with 学信 (degrees), 户籍 (where first registered) and the birth
    date: for every person of the range, or for the places ``at`` (sorted) only, whose rows
    then make the population (the others are not turned into columns at all)."""
    lo, n = employment.lo, employment.hi - employment.lo
    m = n if at is None else len(at)
    on_day = _day(on)
    persons_table = read_range(
        directory, "persons", lo, employment.hi, ["id_number", "name", "birth_date"]
    )
    if persons_table.num_rows != n:
        raise ValueError(f"persons {lo}..{employment.hi}: {persons_table.num_rows} rows")
    birth = _days(persons_table["birth_date"])
    # a row of another file belongs to row ``slot[pid - lo]`` of the population (-1: none)
    slot = None
    if at is not None:
        birth = birth[at]
        slot = np.full(n, -1, dtype=np.int64)
        slot[at] = np.arange(m)

    def mine(table: pa.Table) -> tuple[pa.Table, np.ndarray]:
        """The rows of the population's persons, and the row of each in the population."""
        local = table["pid"].to_numpy() - lo
        if slot is None:
            return table, local
        row = slot[local]
        keep = row >= 0
        return table.filter(pa.array(keep)), row[keep]

    # 学信: degrees
    degrees, local = mine(
        read_range(
            directory,
            "degrees",
            lo,
            employment.hi,
            ["pid", "school", "school_tags", "level", "discipline", "full_time", "graduated_on"],
            dictionaries=("level", "school_tags", "school", "discipline"),
        )
    )
    facts, _ = degree_facts(degrees, local, m, on_day)
    highest = facts["highest_degree"]
    persons: dict[str, np.ndarray] = {"birth_date": (birth.astype("datetime64[D]"))} | facts

    # 户籍: where the person was first registered
    residence, local = mine(
        read_range(
            directory,
            "residence",
            lo,
            employment.hi,
            ["pid", "county", "on_date"],
            dictionaries=("county",),
        )
    )
    first = np.flatnonzero(np.r_[True, local[1:] != local[:-1]]) if len(local) else local
    here = _codes(residence["county"], _here(jurisdiction), 0)
    introduced = np.full(m, IntroducedFrom.unknown.index, dtype=np.int16)
    introduced[local[first]] = np.where(  # type: ignore[call-overload]
        here[first] == 1, IntroducedFrom.local.index, IntroducedFrom.outside_city.index
    )
    persons["introduced_from"] = introduced

    known = employment.population
    if at is None:
        persons |= known.persons
        employer_columns = known.employers
        everyone_highest = highest
    else:
        persons |= {name: values[at] for name, values in known.persons.items()}
        employer_columns = {name: values[at] for name, values in known.employers.items()}
        everyone_highest = np.zeros(n, dtype=np.int16)
        everyone_highest[at] = highest
    return Chunk(
        lo=lo,
        population=Population(count=m, persons=persons, employers=employer_columns),
        persons=persons_table,
        employers=employers,
        employer_row=employment.employer_row,
        highest=everyone_highest,
        at=at,
    )


def degree_facts(
    degrees: pa.Table, local: np.ndarray, m: int, on_day: int | None
) -> tuple[dict[str, np.ndarray], int]:
    """学信 rows (of persons at ``local`` among ``m``) as the engine's education columns; a
    degree counts as full-time from its graduation on (``on_day`` None: every one counts).
    Also the latest graduation day of the rows."""
    level = _codes(degrees["level"], {d: i for i, d in enumerate(DEGREE_ORDER)}, 0)
    graduated = _days(degrees["graduated_on"])
    full_time = degrees["full_time"].to_numpy(zero_copy_only=False)
    bits = _tag_bits(degrees["school_tags"])
    bits = bits | np.where(
        _a_class(degrees["school"], degrees["discipline"]), TAG_BIT["a_class_discipline"], 0
    )
    level16, bits32 = level.astype(np.int16), bits.astype(np.int32)
    highest = np.zeros(m, dtype=np.int16)
    np.maximum.at(highest, local, level16)
    tags_any = np.zeros(m, dtype=np.int32)
    np.bitwise_or.at(tags_any, local, bits32)
    ft = full_time if on_day is None else full_time & (graduated <= on_day)
    highest_ft = np.zeros(m, dtype=np.int16)
    np.maximum.at(highest_ft, local[ft], level16[ft])
    persons: dict[str, np.ndarray] = {
        "highest_degree": highest,
        "highest_full_time_degree": highest_ft,
        "school_tags_any": tags_any,
    }
    # per level at once: row ``level`` of a (levels × persons) table, one ufunc pass for all
    cell = level.astype(np.int64) * m + local
    latest = np.full(len(DEGREE_ORDER) * m, NO_DAY, dtype=np.int64)
    np.maximum.at(latest, cell, graduated)
    cell_ft = cell[full_time]
    latest_ft = np.full(len(DEGREE_ORDER) * m, NO_DAY, dtype=np.int64)
    np.maximum.at(latest_ft, cell_ft, graduated[full_time])
    tags = np.zeros(len(DEGREE_ORDER) * m, dtype=np.int32)
    np.bitwise_or.at(tags, cell_ft, bits32[full_time])
    for code in EDUCATION_LEVELS:
        row = slice(DEGREE_ORDER.index(code) * m, (DEGREE_ORDER.index(code) + 1) * m)
        persons[f"graduation_{code}"] = latest[row].astype("datetime64[D]")
        persons[f"full_time_graduation_{code}"] = latest_ft[row].astype("datetime64[D]")
        persons[f"full_time_{code}_tags"] = tags[row]
    return persons, int(graduated.max()) if len(graduated) else NO_DAY


def _months(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of days since 1970-01-01, through a table of the days present (one
    date conversion per distinct day, not per row)."""
    if len(days) == 0:
        return np.zeros(0, dtype=np.int64)
    first = int(days.min())
    span = np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
    table = span.astype("datetime64[M]").astype(np.int64)
    return table[days - first]


def _a_class(school: pa.ChunkedArray, discipline: pa.ChunkedArray) -> np.ndarray:
    """Whether each degree's (school, discipline) is an A-class discipline: a table over the
    columns' dictionary codes, marked at the A-class pairs present, then read per row."""
    schools, disciplines = _encoded(school), _encoded(discipline)
    if len(schools) == 0:
        return np.zeros(0, dtype=bool)
    s_place = {name: i for i, name in enumerate(schools.dictionary.to_pylist())}
    d_place = {name: i for i, name in enumerate(disciplines.dictionary.to_pylist())}
    width = max(len(d_place), 1)
    table = np.zeros(max(len(s_place), 1) * width, dtype=bool)
    for s_name, d_name in vocabulary().a_class_disciplines:
        if s_name in s_place and d_name in d_place:
            table[s_place[s_name] * width + d_place[d_name]] = True
    s_codes = schools.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    d_codes = disciplines.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    found = table[s_codes * width + d_codes]
    # a missing school or discipline is never an A-class pair
    if schools.null_count or disciplines.null_count:
        found &= schools.indices.is_valid().to_numpy(zero_copy_only=False)
        found &= disciplines.indices.is_valid().to_numpy(zero_copy_only=False)
    return found


def _tag_bits(column: pa.ChunkedArray) -> np.ndarray:
    encoded = _encoded(column)
    table = np.array(
        [
            sum(TAG_BIT[t] for t in text.split(",") if t in TAG_BIT)
            for text in encoded.dictionary.to_pylist()
        ]
        or [0],
        dtype=np.int32,
    )
    return table[encoded.indices.to_numpy(zero_copy_only=False)]
