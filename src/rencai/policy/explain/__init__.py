"""Explain mode: one profile in, decisions out.

The profile is run through the same OpenFisca simulation as a screening population
(``subject``). The declared rule trees are then walked with each leaf's value to record
decisions, one module per kind: which card category matched and why not (``cards``), money in
exact ``Decimal`` from the cited parameter value (``money``), which side of an exclusivity choice
won (``exclusivity``), every benefit's outcome (``benefits``) and what information would decide
the rest (``needs``). Nothing here is particular to a city: wording and sponsors come from the
jurisdiction's declarations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rencai.policy.contract.profile import Profile
from rencai.policy.engine.population import encode_profile
from rencai.policy.engine.system import JurisdictionSystem
from rencai.policy.explain.batch import batch_explainers
from rencai.policy.explain.benefits import benefits
from rencai.policy.explain.cards import family_cards, talent_cards
from rencai.policy.explain.money import VALUE_OPEN
from rencai.policy.explain.subject import (
    Explainer,
    ParameterValue,
    Shared,
    one_by_one,
    parameter_at,
)

__all__ = ["Explainer", "ParameterValue", "empty_result", "explain", "explain_many", "parameter_at"]


def empty_result(jurisdiction: str, on: dt.date) -> dict[str, Any]:
    """The result's sections (contract version 1), all empty."""
    return {
        "jurisdiction": jurisdiction,
        "on": on.isoformat(),
        "cards": [],
        "benefits": [],
        "not_eligible": [],
        "needs_information": [],
        "needs_administrator": [],
        "exclusivity": [],
        "recognitions": [],
        "may_apply": [],
    }


def explain(system: JurisdictionSystem, profile: Profile, on: dt.date) -> dict[str, Any]:
    """The calculator result (contract version 1) for one profile on one day."""
    return _result(Explainer(system, profile, on))


def explain_many(
    system: JurisdictionSystem, profiles: list[Profile], on: dt.date, reference: bool = False
) -> list[dict[str, Any]]:
    """The results of several profiles of one jurisdiction on one day from ONE simulation (each
    the same as ``explain`` gives it alone): OpenFisca computes each variable for all of them at
    once, which is what the calculator's micro-batches are for. The rule trees' states are
    worked out over the whole batch (``batch``); ``reference`` walks them profile by profile
    instead, as ``explain`` does (the same answers: decision 0254)."""
    if reference:  # each profile encoded alone, its states read lazily
        shared = Shared(system, one_by_one([encode_profile(p) for p in profiles]), on)
        explainers = [
            Explainer(system, profile, on, (shared, i)) for i, profile in enumerate(profiles)
        ]
    else:
        explainers = batch_explainers(system, profiles, on)
    results = [_result(explainer) for explainer in explainers]
    _release(explainers)
    return results


def _release(explainers: list[Explainer]) -> None:
    """Unlinks what a batch built and no longer needs (its explainers and their persons, its
    simulation's populations and their holders), each part referring to the others: freed at
    once when the batch ends, not left to the garbage collector."""
    shared = explainers[0]._shared if explainers else None
    for explainer in explainers:
        explainer.talent.__dict__.clear()
        explainer.__dict__.clear()
    if shared is not None:
        simulation = shared.simulation
        for population in simulation.populations.values():
            population._holders.clear()
            population.simulation = None
        shared.__dict__.clear()


def _result(explainer: Explainer) -> dict[str, Any]:
    system, on = explainer.system, explainer.on
    result = empty_result(system.jurisdiction.code, on)
    talent_cards(explainer, result)
    family_cards(explainer, result)
    benefits(explainer, result)
    for path, pending in explainer.pending_parameters.items():
        result["needs_administrator"].append(
            {
                "parameter": path,
                "benefit": None,
                "description": pending.description,
                "question": pending.needs_administrator,
                "note": VALUE_OPEN,
            }
        )
    return result
