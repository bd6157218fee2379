"""Exclusivity: of each group's members the talent qualifies for, which one is received (就高)."""

from __future__ import annotations

from typing import Any

from rencai.policy.explain.money import MoneyLine
from rencai.policy.explain.subject import Explainer, money


def decide(
    explainer: Explainer, lines: dict[str, MoneyLine], result: dict[str, Any]
) -> dict[str, str]:
    """Each losing benefit → the winner it loses to; a decision entry per contested group."""
    program = explainer.program
    losers: dict[str, str] = {}
    for group in program.exclusivity:
        candidates = [m for m in group.members if m in lines]
        if not candidates:
            continue
        winner = group.winner(candidates, total=lambda m: lines[m].total, member=lambda m: m)
        for candidate in candidates:
            if candidate != winner:
                losers[candidate] = winner
        if len(candidates) > 1:
            result["exclusivity"].append(
                {
                    "id": group.id,
                    "rule": "就高原则，不重复享受",
                    "label": group.label,
                    "winner": winner,
                    "candidates": [
                        {
                            "id": m,
                            "total": None
                            if lines[m].pending is not None
                            else money(lines[m].total),
                        }
                        for m in candidates
                    ],
                    "provisional": any(lines[m].pending is not None for m in candidates),
                    "reason": f"{lines[winner].benefit.name}总额"
                    f"{money(lines[winner].total)}元为最高（并列时以市级项目优先）",
                    "citation": group.citation.as_dict(),
                }
            )
    return losers


def lost_to(explainer: Explainer, line: MoneyLine, winner: MoneyLine) -> str:
    """Why a benefit the talent qualifies for is not received."""
    held = f"{winner.benefit.name}（总额{money(winner.total)}元）"
    # an unset amount cannot be compared: say so rather than show it as 0.00; the comparison is
    # marked provisional, and only what the person would receive asks the administrator
    if line.pending is not None:
        return (
            f"符合条件，但金额待主管部门明确；暂按已享受{held}处理，"
            "金额明确后按就高原则确定，不重复享受"
        )
    return f"符合条件（总额{money(line.total)}元），但已享受{held}，按就高原则，不重复享受"
