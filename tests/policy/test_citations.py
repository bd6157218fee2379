"""Every rule, parameter value and benefit carries a citation that exists in the seeds."""

from __future__ import annotations

from typing import Any

import pytest
from openfisca_core.parameters import Parameter, ParameterNode

from rencai.policy.engine.system import system_for
from tests.seeds import compact, seed_text_compact


def leaf_parameters(node: ParameterNode) -> list[Parameter]:
    found: list[Parameter] = []
    for child in node.children.values():
        if isinstance(child, ParameterNode):
            found += leaf_parameters(child)
        else:
            found.append(child)
    return found


SYSTEM = system_for("shijiazhuang")
PARAMETERS = leaf_parameters(SYSTEM.parameters)


def test_parameters_are_loaded() -> None:
    names = {p.name for p in PARAMETERS}
    assert "b_card.rent_subsidy.doctorate" in names
    assert len(PARAMETERS) >= 30


@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
def test_every_parameter_value_is_cited_or_awaits_the_administrator(parameter: Parameter) -> None:
    assert parameter.description, parameter.name
    for value in parameter.values_list:
        citation: dict[str, Any] | None = (value.metadata or {}).get("citation")
        if value.value is None:
            question = (value.metadata or {}).get("needs_administrator") or (
                parameter.metadata or {}
            ).get("needs_administrator")
            assert question, f"{parameter.name} has no value and no question for the administrator"
            continue
        if parameter.name.startswith("county_card.groups.unlisted"):
            continue  # a list of codes outside every group: a fact of the vocabulary
        assert citation, f"{parameter.name} @ {value.instant_str} has no citation"
        assert citation["document"] and citation["clause"], parameter.name
        assert compact(citation["quote"]) in seed_text_compact(), (
            f"{parameter.name}: quote not in the seeds: {citation['quote']}"
        )


def test_every_benefit_card_and_category_is_cited() -> None:
    program = SYSTEM.program
    seeds = seed_text_compact()
    for card in program.cards:
        assert compact(card.citation.quote) in seeds, card.id
        for category in card.categories:
            assert compact(category.citation.quote) in seeds, (card.id, category.number)
    for benefit in program.benefits:
        if benefit.kind == "money":
            assert benefit.amount is not None, f"money benefit {benefit.id} has no amount"
        else:
            assert benefit.citation is not None, benefit.id
            assert compact(benefit.citation.quote) in seeds, benefit.id
    for group in program.exclusivity:
        assert compact(group.citation.quote) in seeds, group.id


def test_service_counts_match_the_documents() -> None:
    """A: 15 items, B: 8, county: 12 (可享受的服务项目)."""
    counts: dict[str, int] = {}
    for benefit in SYSTEM.program.benefits:
        if benefit.kind == "service" and benefit.granted_by in {"card.a", "card.b", "card.county"}:
            counts[benefit.granted_by or ""] = counts.get(benefit.granted_by or "", 0) + 1
    assert counts == {"card.a": 15, "card.b": 8, "card.county": 12}


def test_every_money_result_line_is_cited() -> None:
    from rencai.policy.calculator import entitlements
    from rencai.policy.contract.profile import parse_profile
    from tests.profiles import doctor

    result = entitlements(parse_profile(doctor()))
    for line in result["benefits"]:
        citation = line["citation"]
        assert citation["document"] and citation["clause"] and citation["quote"], line["id"]
