"""The store's runs of contribution months (insurance_spells) give the screening the same
employment facts as reading the months one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rencai.feeds.columns import Employers, load_chunk
from rencai.feeds.store import SCHEMAS, insurance_spells, synthesize
from rencai.policy.contract.vocabulary import vocabulary

A, B = "91130100MA0000001A", "91130100MA0000002B"


def _rows(*rows: tuple[int, str | None, str, str]) -> pa.Table:
    return pa.table(
        {
            "pid": [r[0] for r in rows],
            "employer_uscc": [r[1] for r in rows],
            "period": [dt.date.fromisoformat(r[2]) for r in rows],
            "wage_base_fen": [500_000] * len(rows),
            "region": [r[3] for r in rows],
        }
    ).cast(SCHEMAS["social_insurance"])


def test_runs_break_on_person_employer_region_and_missing_months() -> None:
    spells = insurance_spells(
        _rows(
            (0, A, "2026-01-01", "130102"),
            (0, A, "2026-02-01", "130102"),
            (0, A, "2026-03-01", "130104"),  # another region
            (0, A, "2026-05-01", "130104"),  # April missing
            (0, B, "2026-06-01", "130104"),  # another employer
            (1, None, "2026-06-01", "130102"),
            (1, None, "2026-07-01", "130102"),
            (2, B, "2026-07-01", "130102"),  # another person, the next month
        )
    ).to_pylist()
    assert [
        (s["pid"], s["employer_uscc"], s["region"], str(s["first"]), str(s["last"])) for s in spells
    ] == [
        (0, A, "130102", "2026-01-01", "2026-02-01"),
        (0, A, "130104", "2026-03-01", "2026-03-01"),
        (0, A, "130104", "2026-05-01", "2026-05-01"),
        (0, B, "130104", "2026-06-01", "2026-06-01"),
        (1, None, "130102", "2026-06-01", "2026-07-01"),
        (2, B, "130102", "2026-07-01", "2026-07-01"),
    ]


def _month_by_month(rows: list[dict], on: dt.date, here: set[str]) -> dict[int, tuple]:
    """The employment facts read one month at a time (the definition in feeds/columns.py):
    the latest month up to the day's, current if it is the day's month or the one before; the
    start of the unbroken run with that employer; local when that month was paid here."""
    on_month = on.year * 12 + on.month - 1
    facts: dict[int, tuple] = {}
    by_person: dict[int, list[dict]] = {}
    for row in rows:
        by_person.setdefault(row["pid"], []).append(row)
    for pid, months in by_person.items():
        kept = [r for r in months if r["period"].year * 12 + r["period"].month - 1 <= on_month]
        if not kept:
            continue
        last = kept[-1]
        month = last["period"].year * 12 + last["period"].month - 1
        if month < on_month - 1:
            continue
        start = len(kept) - 1
        while start > 0:
            previous, this = kept[start - 1], kept[start]
            gap = (this["period"].year * 12 + this["period"].month) - (
                previous["period"].year * 12 + previous["period"].month
            )
            if previous["employer_uscc"] != this["employer_uscc"] or gap != 1:
                break
            start -= 1
        facts[pid] = (kept[start]["period"], last["region"] in here)
    return facts


def test_screening_facts_equal_the_month_by_month_reading(tmp_path: Path) -> None:
    store = tmp_path / "store"
    as_of = dt.date(2026, 11, 23)
    # written in small chunks of persons: several row groups, read across their bounds
    synthesize(2_000, store, seed=21, as_of=as_of, chunk=300)
    rows = pq.read_table(store / "social_insurance.parquet").to_pylist()
    spells = pq.read_table(store / "insurance_spells.parquet")
    assert 0 < spells.num_rows < len(rows) / 3
    employers = Employers(store)
    no_date = np.datetime64("1900-01-01")
    for on in (as_of, dt.date(2026, 3, 31), dt.date(2025, 12, 1)):
        for jurisdiction in ("shijiazhuang", "cangzhou"):
            here = {c for c, v in vocabulary().counties.items() if v.jurisdiction == jurisdiction}
            expected = _month_by_month(rows, on, here)
            chunk = load_chunk(store, 0, 2_000, on, jurisdiction, employers)
            start = chunk.population.persons["start_date"]
            local = chunk.population.persons["social_insurance_local"]
            for pid in range(2_000):
                if pid in expected:
                    first, is_local = expected[pid]
                    assert start[pid] == np.datetime64(first.isoformat()), (on, pid)
                    assert bool(local[pid]) == is_local, (on, pid)
                else:
                    assert start[pid] == no_date and not local[pid], (on, pid)
