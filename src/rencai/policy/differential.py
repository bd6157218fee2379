"""The two modes must agree: run profiles one by one (explain) and all at once (population)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from rencai.policy.engine.population import encode_profile
from rencai.policy.engine.system import system_for
from rencai.policy.explain.subject import Explainer
from rencai.policy.screening import concat, screen


@dataclass
class Agreement:
    profiles: int = 0
    checks: int = 0
    disagreements: list[str] = field(default_factory=list)


def compare_modes(profiles: list[dict[str, Any]], on: dt.date) -> Agreement:
    """Profiles of one jurisdiction, explained one by one and screened together."""
    parsed = [parse_profile(p) for p in profiles]
    jurisdictions = {p.jurisdiction for p in parsed}
    if len(jurisdictions) != 1:
        raise ValueError(f"compare one jurisdiction at a time, not {sorted(jurisdictions)}")
    profiles_encoded = [encode_profile(p) for p in parsed]
    encoded = [e.population for e in profiles_encoded]
    jurisdiction = jurisdictions.pop()
    result = screen(jurisdiction, concat(encoded), on)
    agreement = Agreement(profiles=len(parsed))
    program = system_for(jurisdiction).program
    employer_benefits = {b.id for b in program.benefits if b.target == "employer"}
    row = 0
    for number, (profile, population) in enumerate(zip(parsed, encoded, strict=True)):
        explained = entitlements(profile, on)
        held = {c["id"] for c in explained["cards"] if "holder" not in c}
        family = sum(1 for c in explained["cards"] if "holder" in c)
        granted = {
            b["id"]: b
            for b in [*explained["benefits"], *explained["recognitions"], *explained["may_apply"]]
        }
        pending = {n["benefit"] for n in explained["needs_administrator"]}

        def check(ok: bool, what: str, number: int = number) -> None:
            agreement.checks += 1
            if not ok:
                agreement.disagreements.append(f"profile {number}: {what}")

        # a profile with a `unit` section speaks for the employer: only what units receive is
        # answered (calculator.unit_view), so only that is compared
        for_unit = profile.unit is not None
        for card_id, values in ({} if for_unit else result.cards).items():
            if card_id == "card.family":
                engine_family = int(values[row + 1 : row + population.count].sum())
                check(engine_family == family, f"{card_id}: {engine_family} != {family}")
            else:
                check(bool(values[row]) == (card_id in held), card_id)
        for benefit_id, values in result.granted.items():
            if for_unit and benefit_id not in employer_benefits:
                continue
            explained_granted = benefit_id in granted or benefit_id in pending
            check(bool(values[row]) == explained_granted, f"{benefit_id} granted")
            if benefit_id in result.totals_fen and benefit_id in granted:
                exact = Decimal(granted[benefit_id]["total"]) * 100
                engine = int(result.totals_fen[benefit_id][row])
                check(engine == exact, f"{benefit_id} total {engine} fen != {exact}")
        # who is undetermined: the population mode's open items are those the one-profile
        # calculator leaves undecided (decision 0368), but where a parameter awaits the
        # administrator, which leaves an item undecided in the calculator only (population mode
        # reads the program as not in force): a profile stating every fact is undetermined on
        # nothing else, and is not walked again
        if result.undetermined and not for_unit and profiles_encoded[number].missing:
            states = Explainer(system_for(jurisdiction), profile, on)
            decided = states.benefit_states()
            awaiting = bool(states.pending_parameters)
            for item_id, values in result.undetermined.items():
                if item_id == "card.family" or item_id in employer_benefits:
                    continue
                if item_id.startswith("card."):
                    undecided = states.card_state(item_id) is None
                else:
                    undecided = decided[item_id] is None
                if bool(values[row]) != undecided and not (awaiting and undecided):
                    check(False, f"{item_id} undetermined {bool(values[row])}")
                else:
                    check(True, "")
        row += population.count
    return agreement
