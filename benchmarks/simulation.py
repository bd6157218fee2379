"""政策模拟 at scale: a 10-year (120-month) reform on synthetic talents, beside the baseline alone.

python -m benchmarks.simulation [--persons 1000000] [--months 120] [--late]

Timings in one process on the same population: the baseline alone (the law, no change: every
month evaluated once) and the 2021 doctoral reform over the law of 2021-02-09 (石字〔2021〕7号
第4条: every month evaluated for both sides); with ``--late`` also the same reform starting in
year 6 (the reform's first five years are the baseline's, decision 0146). The goal for the full
reform on 1,000,000 talents is 30 s. CPU seconds are printed beside the wall-clock ones: on a
shared machine the difference is time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

START = dt.date(2021, 3, 1)
GOAL_SECONDS = 30.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--late", action="store_true", help="also the reform from year 6")
    args = parser.parse_args(argv)

    from rencai.policy.synthetic import random_columns
    from rencai.simulation.reform import parse_reform
    from rencai.simulation.run import simulate

    started = time.perf_counter()
    population = random_columns(args.persons, 1, START)
    made = time.perf_counter() - started
    rent = {"parameter": "b_card.rent_subsidy.doctorate", "value": 3000}
    purchase = {"parameter": "b_card.purchase_subsidy.doctorate", "value": 300000}
    late = (START.replace(year=START.year + 5)).isoformat()
    cases = {
        "baseline alone (no change)": parse_reform(
            {"name": "基准", "baseline": "2021-02-09", "changes": []}
        ),
        "2021 reform, whole window": parse_reform(
            {
                "name": "石字〔2021〕7号",
                "baseline": "2021-02-09",
                "changes": [{**rent, "from": "2021-02-10"}, {**purchase, "from": "2021-02-10"}],
            }
        ),
    }
    if args.late:
        cases["same reform from year 6"] = parse_reform(
            {
                "name": "第六年起",
                "baseline": "2021-02-09",
                "changes": [{**rent, "from": late}, {**purchase, "from": late}],
            }
        )
    print(
        f"{args.persons:,} synthetic talents made in {made:.1f} s; window {args.months} months "
        f"from {START:%Y-%m}"
    )
    seconds: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for label, spec in cases.items():
        t0, c0 = time.perf_counter(), time.process_time()
        result = simulate(population, START, args.months, spec)
        seconds[label] = time.perf_counter() - t0
        cpu = cpus[label] = time.process_time() - c0
        total = result["total"]
        share = result["persons_evaluated"] / (args.persons * args.months)  # both sides
        print(
            f"  {label:28s} {seconds[label]:7.1f} s (CPU {cpu:6.1f} s)  "
            f"evaluations {result['evaluations']:4d}  "
            f"persons evaluated per person-month {share:.2f}  "
            f"difference {total['difference_fen']:,} fen  winners {total['winners']:,}"
        )
    base = seconds["baseline alone (no change)"]
    whole = seconds["2021 reform, whole window"]
    ratio_cpu = cpus["2021 reform, whole window"] / cpus["baseline alone (no change)"]
    print(
        f"reform / baseline alone: {whole / base:.2f}x (CPU {ratio_cpu:.2f}x); "
        f"goal {GOAL_SECONDS:.0f} s at 1,000,000 persons: "
        + (
            ("met" if whole <= GOAL_SECONDS else "not met")
            if args.persons >= 1_000_000
            else "(run without --persons for the 1 M figure)"
        )
        + f"; peak memory {_peak_mb():,.0f} MB"
    )
    return {
        "baseline_s": base,
        "reform_s": whole,
        "baseline_cpu_s": cpus["baseline alone (no change)"],
        "reform_cpu_s": cpus["2021 reform, whole window"],
    }


if __name__ == "__main__":
    main()
