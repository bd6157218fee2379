"""云骥 assistant benchmark: the evaluation set (tests/assistant/questions.yaml) in process.

Prints top-1 / top-3 clause accuracy, amount exactness against the calculator, the key facts
stated in the answers, correct and false refusals, and p50 / p95 latency per question, beside
the baseline of the same run: the catalogue's own substring search (`Catalogue.search`)
answering with its first program's clause.

    python -m benchmarks.assistant [--questions tests/assistant/questions.yaml] [--misses]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rencai.assistant.evaluation import evaluate, load
from rencai.assistant.text import normalise
from rencai.policy.catalogue import catalogue

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "assistant" / "questions.yaml"


def baseline(path: Path) -> tuple[float, float]:
    """Top-3 accuracy of the catalogue's substring search on the same set, and the share of the
    questions to answer for which it finds nothing."""
    data = load(path)
    cat = catalogue()
    hit = answerable = refused = 0
    for item in data["questions"]:
        words = [w for w in normalise(item["q"]).split() if w]
        found = cat.search(text=" ".join(words)) if words else []
        if item.get("refuse"):
            continue
        answerable += 1
        refused += not found
        wanted = {(item["doc"], str(item["clause"]))} | {
            (d, str(c)) for d, c in item.get("alt") or []
        }
        if any((e.document, e.clause) in wanted for e in found[:3]):
            hit += 1
    return hit / answerable, refused / answerable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT)
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args()
    started = time.perf_counter()
    report = evaluate(args.questions)
    figures = report.figures
    base_top3, base_nothing = baseline(args.questions)
    print(
        f"questions: {report.questions} ({report.answerable} to answer, "
        f"{report.must_refuse} to refuse, {report.amount_questions} asking an amount)"
    )
    print(f"top-1 clause accuracy: {figures['top1']:.1%}  (goal ≥ 80 %)")
    print(
        f"top-3 clause accuracy: {figures['top3']:.1%}  (goal ≥ 92 %; "
        f"baseline substring search {base_top3:.1%})"
    )
    print(f"amounts equal to the calculator: {figures['amount_exact']:.1%}  (goal 100 %)")
    print(
        f"key facts stated in the answer: {figures['facts_stated']:.1%} of "
        f"{report.facts_questions} questions listing them  (goal ≥ 85 %)"
    )
    print(f"correct refusals: {figures['refusals_correct']:.1%}  (goal ≥ 95 %)")
    print(
        f"false refusals: {figures['false_refusals']:.1%}  (goal ≤ 3 %; "
        f"baseline finds nothing for {base_nothing:.1%})"
    )
    print(
        f"latency per question: p50 {figures['p50_ms']:.2f} ms, "
        f"p95 {figures['p95_ms']:.2f} ms  (goal p95 ≤ 50 ms)"
    )
    print(f"whole run (index build included): {time.perf_counter() - started:.1f} s")
    if args.misses:
        for miss in report.misses:
            print("  " + miss)


if __name__ == "__main__":
    main()
