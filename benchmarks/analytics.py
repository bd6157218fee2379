"""人才统计 and 政策模拟 at the issue's sizes, in one command.

python -m benchmarks.analytics                       # 1,000,000 talents: both measurements
python -m benchmarks.analytics --persons 100000 --talents 100000 --uses 1000000   # smaller

1. Reform simulation (benchmarks.simulation): a 10-year (120-month) run of the 2021 doctoral
   reform on ``--persons`` synthetic talents, beside the baseline alone in the same run.
   Goal: ≤ 30 s for the reform at 1,000,000 talents.
2. The leadership overview's queries on PostgreSQL (benchmarks.stats): a throwaway cluster
   filled with ``--talents`` talents and ``--uses`` card uses; each query's p95 beside a
   ``count(*)`` over the card uses in the same run. Goal: p95 ≤ 100 ms per query at 1,000,000
   talents and 10,000,000 card uses.

``--only reform`` or ``--only overview`` runs one of the two; ``--keep DIR`` keeps the overview's
filled cluster in DIR and reuses it on the next run (filling the full size takes minutes).
"""

from __future__ import annotations

import argparse

from benchmarks import simulation, stats

REFORM_GOAL_S = 30.0
QUERY_GOAL_S = 0.100


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=1_000_000, help="reform population")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--talents", type=int, default=1_000_000, help="overview database")
    parser.add_argument("--uses", type=int, default=10_000_000, help="overview card uses")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=("reform", "overview"))
    parser.add_argument("--keep", help="overview: keep the filled cluster here, reuse it next run")
    args = parser.parse_args(argv)
    summary: list[str] = []
    if args.only != "overview":
        print("== 政策模拟: reform run ==")
        times = simulation.main(["--persons", str(args.persons), "--months", str(args.months)])
        met = times["reform_s"] <= REFORM_GOAL_S
        summary.append(
            f"reform, {args.months} months × {args.persons:,} talents: "
            f"{times['reform_s']:.1f} s wall ({times['reform_cpu_s']:.1f} s CPU); "
            f"baseline alone {times['baseline_s']:.1f} s wall "
            f"({times['baseline_cpu_s']:.1f} s CPU); ratio "
            f"{times['reform_s'] / times['baseline_s']:.2f}x; goal ≤ {REFORM_GOAL_S:.0f} s "
            + ("met" if met else "not met")
            + ("" if args.persons >= 1_000_000 else " (the goal is for 1,000,000 talents)")
        )
    if args.only != "reform":
        print("== 人才统计: overview queries on PostgreSQL ==")
        sizes = {"--talents": args.talents, "--uses": args.uses, "--repeat": args.repeat}
        options = [part for key, value in sizes.items() for part in (key, str(value))]
        p95s = stats.main(options + (["--keep", args.keep] if args.keep else []))
        baseline = p95s.pop("baseline: SELECT count(*) FROM card_uses")
        worst_key = max(p95s, key=lambda k: p95s[k])
        over = [k for k, v in p95s.items() if v > QUERY_GOAL_S]
        summary.append(
            f"overview, {args.talents:,} talents and {args.uses:,} card uses: worst p95 "
            f"{p95s[worst_key] * 1000:.0f} ms ({worst_key}); baseline count(*) p95 "
            f"{baseline * 1000:.0f} ms; goal ≤ {QUERY_GOAL_S * 1000:.0f} ms per query: "
            + ("met" if not over else f"not met by {len(over)} of {len(p95s)} queries")
        )
    print("== summary ==")
    for line in summary:
        print("  " + line)


if __name__ == "__main__":
    main()
