"""The draw: re-run from its seed, priority tiers first, no priority inversion (property)."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from rencai.housing.lottery import FILL, ORDER, Entry, allocate, draw_key, inversions, ordered

BUILDINGS = ["A", "B", "C"]


def _units(counts: dict[str, int]) -> dict[str, list[str]]:
    return {b: [f"{b}-{i + 1:02d}" for i in range(n)] for b, n in counts.items()}


def test_draw_key_is_sha256_of_seed_and_number() -> None:
    expected = hashlib.sha256("2026-第五批-731:5-00001".encode()).hexdigest()
    assert draw_key("2026-第五批-731", "5-00001") == expected


def test_rerun_from_the_seed_gives_the_same_result() -> None:
    entries = [Entry(f"5-{i:05d}", i % 3, ("A", "B")) for i in range(1, 60)]
    units = _units({"A": 10, "B": 5})
    first = allocate("seed-1", entries, units)
    again = allocate("seed-1", list(reversed(entries)), units)  # roster order does not matter
    assert [(p.entry.number, p.unit) for p in first] == [(p.entry.number, p.unit) for p in again]
    other = allocate("seed-2", entries, units)
    assert [p.entry.number for p in other] != [p.entry.number for p in first]


def test_priority_tiers_come_first() -> None:
    entries = [Entry(f"n{i}", 1, ("A",)) for i in range(20)] + [Entry("vip", 0, ("A",))]
    placed = allocate("x", entries, _units({"A": 1}))
    assert placed[0].entry.number == "vip" and placed[0].unit == "A-01"
    assert all(p.unit is None for p in placed[1:])


def test_fill_houses_more_without_inversion() -> None:
    # first place wants A or B, second only A: in order mode the first takes A, the second
    # goes without; fill gives the first B and the second A (both housed, nobody inverted)
    entries = [Entry("1", 0, ("A", "B")), Entry("2", 1, ("A",))]
    units = _units({"A": 1, "B": 1})
    assert sum(p.unit is not None for p in allocate("s", entries, units, ORDER)) == 1
    filled = allocate("s", entries, units, FILL)
    assert {p.entry.number: p.building for p in filled} == {"1": "B", "2": "A"}


entry_lists = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.lists(st.sampled_from(BUILDINGS), min_size=0, max_size=3, unique=True),
    ),
    min_size=0,
    max_size=40,
)
unit_counts = st.fixed_dictionaries({b: st.integers(0, 6) for b in BUILDINGS})


@settings(max_examples=300, deadline=None)
@given(entry_lists, unit_counts, st.text(min_size=1, max_size=12))
def test_no_priority_inversion(raw: list, counts: dict[str, int], seed: str) -> None:
    entries = [Entry(f"N{i:04d}", tier, tuple(prefs)) for i, (tier, prefs) in enumerate(raw)]
    units = _units(counts)
    serial = allocate(seed, entries, units, ORDER)
    filled = allocate(seed, entries, units, FILL)
    for placed in (serial, filled):
        assert inversions(placed) == []
        # the order is by tier first, places 1..n, each unit at most once, only wanted units
        assert [p.entry.tier for p in placed] == sorted(p.entry.tier for p in placed)
        assert [p.place for p in placed] == list(range(1, len(placed) + 1))
        taken = [p.unit for p in placed if p.unit is not None]
        assert len(taken) == len(set(taken))
        assert all(p.building in p.entry.preferences for p in placed if p.unit is not None)
    # fill houses at least as many as order mode, and the most possible (Hall: a brute bound)
    assert sum(p.unit is not None for p in filled) >= sum(p.unit is not None for p in serial)
    # in order mode nobody envies a later place: a better preferred building was full
    for p in serial:
        wanted = p.entry.preferences
        better = wanted[: wanted.index(p.building)] if p.building else wanted
        for q in serial:
            if q.place > p.place and q.building is not None:
                assert q.building not in better
    assert ordered(seed, entries) == ordered(seed, list(reversed(entries)))


@settings(max_examples=150, deadline=None)
@given(entry_lists, unit_counts, st.text(min_size=1, max_size=12))
def test_fill_houses_as_many_as_a_maximum_matching(
    raw: list, counts: dict[str, int], seed: str
) -> None:
    """Checked against scipy's bipartite matching on the graph of applicants and single units
    (a different solver from the flow the draw uses)."""
    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_bipartite_matching

    entries = [Entry(f"N{i:04d}", tier, tuple(prefs)) for i, (tier, prefs) in enumerate(raw)]
    units = _units(counts)
    columns = [(b, u) for b, listed in units.items() for u in listed]
    rows, cols = [], []
    for i, e in enumerate(entries):
        for j, (b, _) in enumerate(columns):
            if b in e.preferences:
                rows.append(i)
                cols.append(j)
    best = 0
    if entries and columns:
        graph = csr_array(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(entries), len(columns))
        )
        best = int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())
    filled = allocate(seed, entries, units, FILL)
    assert sum(p.unit is not None for p in filled) == best
