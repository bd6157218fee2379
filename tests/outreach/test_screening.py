"""政策找人 over the screening store: recall, exclusions, engines, modes, notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from rencai import clock
from rencai.db.session import session_scope, upgrade
from rencai.feeds.compact import synthesize
from rencai.feeds.store import read_employers, read_range
from rencai.notifications.outbox import Notification
from rencai.outreach.applied import applied_pairs
from rencai.outreach.models import Screening
from rencai.outreach.notify import notify_found
from rencai.outreach.screening import run, screen_range, without, write_result
from rencai.policy.contract.profile import parse_profile
from rencai.policy.differential import compare_modes
from rencai.policy.engine.population import encode_profile
from rencai.policy.screening import concat, screen
from rencai.registry.accounts import register_talent
from tests.outreach.applied import record_application

ON = dt.date(2026, 6, 15)
PERSONS = 12_000


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("store")
    synthesize(PERSONS, directory, seed=7, as_of=ON, chunk=5_000)
    return directory


@pytest.fixture(scope="module")
def result(store: Path):
    return run(store, ON, "shijiazhuang", partition=4_000)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'rencai.sqlite3'}"
    upgrade(url)
    yield url


def _pairs(table) -> set[tuple[str, str]]:
    return set(zip(table["id_number"].to_pylist(), table["program"].to_pylist(), strict=True))


def test_every_planted_non_applicant_is_found(store: Path, result) -> None:
    planted = pq.read_table(store / "planted.parquet")
    assert planted.num_rows >= 5
    wanted = _pairs(planted)
    assert wanted <= _pairs(result)
    # with the deciding clause: the B card's category, never empty
    rows = result.filter(
        np.isin(result["id_number"].to_numpy(zero_copy_only=False), [i for i, _ in wanted])
        & (result["program"].to_numpy(zero_copy_only=False) == "card.b")
    )
    assert set(rows["clause"].to_pylist()) <= {"石办字〔2017〕39号 申领范围（2）"}


def test_who_applied_is_left_out(store: Path, result, db: str) -> None:
    planted = pq.read_table(store / "planted.parquet").to_pylist()
    applicant = planted[0]
    with session_scope(db) as session:
        talent = register_talent(
            session, "talent1", "Passw0rd!23456", "申请人", applicant["id_number"]
        )
        record_application(session, talent.id)
    with session_scope(db) as session:
        pairs = applied_pairs(session, "shijiazhuang")
    assert (applicant["id_number"], "card.b") in pairs
    left = _pairs(without(result, pairs))
    assert (applicant["id_number"], "card.b") not in left
    assert {(p["id_number"], "card.b") for p in planted[1:]} <= left
    # the same person's other programs are still there
    assert any(i == applicant["id_number"] and p != "card.b" for i, p in left)


def test_dask_gives_the_same_bytes(store: Path, result, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        distributed = run(
            store, ON, "shijiazhuang", engine="dask", partition=4_000, cluster=cluster
        )
    write_result(result, tmp_path / "local.parquet")
    write_result(distributed, tmp_path / "dask.parquet")
    assert result.num_rows > 0
    assert (tmp_path / "local.parquet").read_bytes() == (tmp_path / "dask.parquet").read_bytes()


def test_worker_processes_give_the_same_bytes(store: Path, result, tmp_path: Path) -> None:
    found: list[int] = []
    parallel = run(store, ON, "shijiazhuang", partition=4_000, workers=2, progress=found.append)
    assert found == [4_000, 4_000, 4_000]  # every range, in range order
    write_result(result, tmp_path / "one.parquet")
    write_result(parallel, tmp_path / "two.parquet")
    assert result.num_rows > 0
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()


def test_gating_before_reading_degrees_changes_no_byte(store: Path, result, tmp_path) -> None:
    """One range of the whole store is gated on 社保, 市场监管 and 税务 before degrees, residence
    and birth dates are read (decision 0196); ranges of 4,000 are below GATE_FROM and screen
    everyone whole. Both give the same bytes."""
    from rencai.feeds.columns import LATER, Employers, load_employment
    from rencai.policy.screening import GATE_FROM, gate

    assert 4_000 < GATE_FROM <= PERSONS
    employment = load_employment(store, 0, PERSONS, ON, "shijiazhuang", Employers(store))
    passed = gate("shijiazhuang", employment.population, ON, ("person",), LATER)
    # the gate was made from these facts and left persons out: the comparison tests something
    assert passed is not None and 0 < len(passed) < PERSONS
    whole = run(store, ON, "shijiazhuang", partition=PERSONS)
    write_result(result, tmp_path / "ungated.parquet")
    write_result(whole, tmp_path / "gated.parquet")
    assert result.num_rows > 0
    assert (tmp_path / "ungated.parquet").read_bytes() == (tmp_path / "gated.parquet").read_bytes()


def test_awards_to_units_are_not_computed_and_change_no_row(store: Path, tmp_path: Path) -> None:
    from rencai.feeds.columns import Employers, load_chunk
    from rencai.policy.engine.system import system_for

    units = {b.id for b in system_for("shijiazhuang").program.benefits if b.target == "employer"}
    assert units
    chunk = load_chunk(store, 0, 4_000, ON, "shijiazhuang", Employers(store))
    every = screen("shijiazhuang", chunk.population, ON, categories=True)
    persons = screen("shijiazhuang", chunk.population, ON, categories=True, targets={"person"})
    assert units <= set(every.granted) and not units & set(persons.granted)
    assert set(persons.granted) == set(every.granted) - units
    for benefit, granted in persons.granted.items():
        assert np.array_equal(granted, every.granted[benefit]), benefit
    for card, held in persons.cards.items():
        assert np.array_equal(held, every.cards[card]), card
    # the result rows, byte for byte, with and without the awards to units computed
    for name, targets in (("all", None), ("persons", ("person",))):
        write_result(
            screen_range(str(store), 0, PERSONS, ON.isoformat(), "shijiazhuang", targets),
            tmp_path / f"{name}.parquet",
        )
    assert (tmp_path / "all.parquet").read_bytes() == (tmp_path / "persons.parquet").read_bytes()


def _profile(store: Path, pid: int) -> dict:
    person = read_range(store, "persons", pid, pid + 1).to_pylist()[0]
    degrees = read_range(store, "degrees", pid, pid + 1).to_pylist()
    si = [
        r
        for r in read_range(store, "social_insurance", pid, pid + 1).to_pylist()
        if r["period"] <= ON
    ]
    tax = read_range(store, "tax", pid, pid + 1).to_pylist()
    residence = read_range(store, "residence", pid, pid + 1).to_pylist()
    employers = {r["uscc"]: r for r in read_employers(store).to_pylist()}
    latest = si[-1]
    spell = [latest]
    for row in reversed(si[:-1]):
        gap = (spell[0]["period"].year - row["period"].year) * 12 + (
            spell[0]["period"].month - row["period"].month
        )
        if row["employer_uscc"] != latest["employer_uscc"] or gap != 1:
            break
        spell.insert(0, row)
    employer = employers[latest["employer_uscc"]]
    sjz = {"shijiazhuang"}
    from rencai.policy.contract.vocabulary import vocabulary

    counties = {c for c, v in vocabulary().counties.items() if v.jurisdiction in sjz}
    return {
        "jurisdiction": "shijiazhuang",
        "on": ON.isoformat(),
        "person": {
            "birth_date": person["birth_date"].isoformat(),
            "education": [
                {
                    "degree": d["level"],
                    "graduation_date": d["graduated_on"].isoformat(),
                    "full_time": d["full_time"],
                    "school": d["school"],
                    "discipline": d["discipline"],
                    "school_tags": [t for t in d["school_tags"].split(",") if t],
                }
                for d in degrees
            ],
        },
        "employment": {
            "employer_type": employer["employer_type"],
            "county": employer["county"],
            "introduced_from": "local" if residence[0]["county"] in counties else "outside_city",
            "start_date": spell[0]["period"].isoformat(),
            "social_insurance_local": latest["region"] in counties,
            "annual_salary": str(
                sum(t["wage_income_fen"] for t in tax if t["year"] == ON.year - 1) // 100
            ),
            "employer_tax_last_year": "0",
            "mode": "full_time",
        },
        "family": [],
    }


def test_store_mode_agrees_with_the_one_profile_calculator(store: Path, result) -> None:
    # a sample of persons working now: those found, planted ones, and some not found
    planted = pq.read_table(store / "planted.parquet")["pid"].to_pylist()
    found = sorted(set(result["pid"].to_pylist()))
    candidates = [*planted[:5], *found[:: max(1, len(found) // 15)], *range(0, 400, 13)]
    profiles, pids = [], []
    for pid in dict.fromkeys(candidates):
        si = read_range(store, "social_insurance", pid, pid + 1)
        periods = [p for p in si["period"].to_pylist() if p <= ON]
        if (
            not periods
            or (ON.year * 12 + ON.month) - (periods[-1].year * 12 + periods[-1].month) > 1
        ):
            continue  # not working now: the profile would leave the employment open
        profiles.append(_profile(store, pid))
        pids.append(pid)
    assert len(profiles) >= 20
    # the profiles the store says, one by one in the calculator and together in population mode
    agreement = compare_modes(profiles, ON)
    assert agreement.disagreements == []
    # and the store's own columns give the same answers as those profiles
    encoded = [encode_profile(parse_profile(p)).population for p in profiles]
    from_profiles = screen("shijiazhuang", concat(encoded), ON)
    by_pid = {}
    for pid, program in zip(result["pid"].to_pylist(), result["program"].to_pylist(), strict=True):
        by_pid.setdefault(pid, set()).add(program)
    for k, pid in enumerate(pids):
        expected = {c for c, v in from_profiles.cards.items() if c != "card.family" and v[k]}
        expected |= {
            b
            for b, v in from_profiles.granted.items()
            if v[k] and not b.startswith("sjz.unit.") and not b.startswith("sjz.industry42.")
        }
        got = by_pid.get(pid, set())
        assert got == expected, (pid, got ^ expected)


def test_notices_are_not_sent_twice(store: Path, result, db: str) -> None:
    planted = pq.read_table(store / "planted.parquet").to_pylist()
    with session_scope(db) as session:
        for k, person in enumerate(planted[:2]):
            register_talent(
                session, f"person{k}", "Passw0rd!23456", f"人才{k}", person["id_number"]
            )
    found = result.filter(
        np.isin(
            result["id_number"].to_numpy(zero_copy_only=False),
            [p["id_number"] for p in planted[:2]],
        )
    )
    assert found.num_rows > 2
    sent = []
    for _ in range(2):  # the screening re-run
        with session_scope(db) as session:
            screening = Screening(
                jurisdiction="shijiazhuang",
                on_date=ON,
                store="x",
                status="done",
                started_at=clock.now(),
            )
            session.add(screening)
            session.flush()
            sent.append(notify_found(session, screening, result))
    assert sent == [found.num_rows, 0]
    with session_scope(db) as session:
        apps = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.channel == "app")
        )
    assert apps == found.num_rows


def test_employers_are_found_by_their_code_and_an_unknown_code_is_not(store: Path) -> None:
    import pyarrow as pa

    from rencai.feeds.columns import Employers

    employers = Employers(store)
    codes = read_employers(store)["uscc"].to_pylist()
    wanted = [codes[5], "91130100MA0000000X", codes[0], codes[-1], codes[5][:-1] + "#"]
    found = employers.lookup(pa.array(wanted)).tolist()
    assert found == [5, -1, 0, len(codes) - 1, -1]


def test_every_employer_is_found_through_the_hash_table_and_a_missing_code_is_not(
    store: Path,
) -> None:
    """The open-addressing table (decision 0196): every code of the store at its row, in any
    order and repeated; an empty or missing code, or one of another length, is nobody's."""
    import pyarrow as pa

    from rencai.feeds.columns import Employers

    employers = Employers(store)
    codes = read_employers(store)["uscc"].to_pylist()
    assert len(codes) > 100 and not employers.by_code
    order = np.random.default_rng(3).permutation(len(codes))
    wanted = [codes[i] for i in order] + [codes[7]] * 3
    assert employers.lookup(pa.array(wanted)).tolist() == [*order.tolist(), 7, 7, 7]
    odd = employers.lookup(pa.array([codes[1], "", None, codes[1][:-1], codes[2]]))
    assert odd.tolist() == [1, -1, -1, -1, 2]


def _same_population(left, right) -> None:
    assert left.count == right.count
    for side in ("persons", "employers"):
        a, b = getattr(left, side), getattr(right, side)
        assert list(a) == list(b), side
        for name in a:
            assert a[name].dtype == b[name].dtype, name
            assert np.array_equal(a[name], b[name]), name


@pytest.mark.parametrize("jurisdiction", ["shijiazhuang", "jinzhou"])
def test_the_compact_store_gives_the_columns_the_parquet_files_give(
    store: Path, jurisdiction: str
) -> None:
    """One row per person (decision 0229) turned into the engine's columns equals what the
    Parquet files give, on days from the store's horizon on, gated or not."""
    from rencai.feeds.columns import LATER, Employers, load_employment, load_rest
    from rencai.feeds.compact import open_compact
    from rencai.policy.screening import gate

    compact = open_compact(store)
    assert compact is not None
    employers = Employers(store)
    days = [ON, dt.date(2026, 7, 31), dt.date(2027, 1, 5), dt.date(2030, 2, 1)]
    for day in days:
        assert compact.usable_on(day)
        for lo, hi in ((0, PERSONS), (5_000, 7_500)):
            slow = load_employment(store, lo, hi, day, jurisdiction, employers)
            fast = compact.employment(lo, hi, day, jurisdiction, employers)
            _same_population(slow.population, fast.population)
            assert np.array_equal(slow.employer_row, fast.employer_row)
            at = gate(jurisdiction, slow.population, day, ("person",), LATER)
            for places in (None, at, np.arange(0, hi - lo, 7)):
                one = load_rest(store, slow, day, jurisdiction, employers, places)
                other = compact.rest(fast, jurisdiction, employers, places)
                _same_population(one.population, other.population)
                taken = pa.array(np.arange(0, hi - lo, 3) if places is None else places)
                for what in ("id_number", "name", "county", "degree"):
                    assert getattr(one, what)(taken).equals(getattr(other, what)(taken)), what
    # someone works now: the comparison tests something
    assert (
        compact.employment(0, PERSONS, ON, jurisdiction, employers)
        .population.persons["social_insurance_local"]
        .any()
    )
    # before the horizon (a contribution month or a graduation after the day) it is not used
    assert not compact.usable_on(dt.date(2026, 4, 30))


def test_the_compact_store_and_the_parquet_files_give_the_same_bytes(
    store: Path, result, tmp_path: Path
) -> None:
    whole = run(store, ON, "shijiazhuang", partition=PERSONS)
    parquet = run(store, ON, "shijiazhuang", partition=PERSONS, use_compact=False)
    small = run(store, ON, "shijiazhuang", partition=4_000, use_compact=False)
    for name, table in (("whole", whole), ("parquet", parquet), ("small", small), ("r", result)):
        write_result(table, tmp_path / f"{name}.parquet")
    assert result.num_rows > 0
    expected = (tmp_path / "r.parquet").read_bytes()
    for name in ("whole", "parquet", "small"):
        assert (tmp_path / f"{name}.parquet").read_bytes() == expected, name


def test_a_store_changed_after_its_compact_file_is_read_from_parquet(tmp_path: Path) -> None:
    """The compact file records the size and time of the files it came from; a changed file
    makes it stale (the Parquet files are read) until it is built again."""
    import os

    from rencai.feeds.compact import build, open_compact

    directory = tmp_path / "store"
    synthesize(3_000, directory, seed=3, as_of=ON, chunk=3_000)
    assert open_compact(directory) is not None
    before = run(directory, ON, "shijiazhuang")
    # a delivery rewrote the 社保 runs: the second half of the persons have none any more
    spells = pq.read_table(directory / "insurance_spells.parquet")
    pq.write_table(spells.slice(0, spells.num_rows // 2), directory / "insurance_spells.parquet")
    assert open_compact(directory) is None
    changed = run(directory, ON, "shijiazhuang")
    assert 0 < changed.num_rows < before.num_rows  # the stale file would give ``before``
    assert changed.equals(run(directory, ON, "shijiazhuang", use_compact=False))
    # a touch alone is enough to distrust it
    build(directory)
    assert open_compact(directory) is not None
    assert run(directory, ON, "shijiazhuang").equals(changed)
    os.utime(directory / "degrees.parquet", ns=(1, 1))
    assert open_compact(directory) is None
