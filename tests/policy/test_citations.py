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
        if value.value is None and citation is None:  # a cited null: the text itself gives none
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
        assert benefit.citation is not None, benefit.id
        assert compact(benefit.citation.quote) in seeds, benefit.id
    for group in program.exclusivity:
        assert compact(group.citation.quote) in seeds, group.id


@pytest.mark.parametrize("jurisdiction", ["shijiazhuang", "jinzhou"])
def test_every_money_benefit_names_its_own_document_and_clause(jurisdiction: str) -> None:
    """A money benefit cites the clause granting it, not only the parameter its amount is read
    from; a card link and a document link are separate fields."""
    seeds = seed_text_compact()
    money = [b for b in system_for(jurisdiction).program.benefits if b.kind == "money"]
    assert money
    for benefit in money:
        citation = benefit.citation
        assert citation is not None, benefit.id
        assert citation.document and citation.clause, benefit.id
        assert compact(citation.quote) in seeds, (benefit.id, citation.quote)
        assert benefit.document, benefit.id
        assert benefit.card is None or benefit.card.startswith("card."), benefit.id
    granted_by_cards = {b.card for b in money if b.card is not None}
    assert granted_by_cards <= {c.id for c in system_for(jurisdiction).program.cards}


def test_a_benefit_without_its_clause_is_refused() -> None:
    from rencai.policy.rules import AllOf, Amount, Benefit

    with pytest.raises(ValueError, match="names the document and clause"):
        Benefit(
            id="x.money",
            name="x",
            kind="money",
            requires=AllOf(()),
            amount=Amount(parameter="x"),
        )


def test_service_counts_match_the_documents() -> None:
    """A: 15 items, B: 8, county: 12 (可享受的服务项目)."""
    counts: dict[str, int] = {}
    for benefit in SYSTEM.program.benefits:
        if benefit.kind == "service" and benefit.card in {"card.a", "card.b", "card.county"}:
            counts[benefit.card or ""] = counts.get(benefit.card or "", 0) + 1
    assert counts == {"card.a": 15, "card.b": 8, "card.county": 12}


def test_every_money_result_line_is_cited() -> None:
    from rencai.policy.calculator import entitlements
    from rencai.policy.contract.profile import parse_profile
    from tests.profiles import doctor

    result = entitlements(parse_profile(doctor()))
    for line in result["benefits"]:
        citation = line["citation"]
        assert citation["document"] and citation["clause"] and citation["quote"], line["id"]


def test_result_lines_name_the_card_apart_from_the_document() -> None:
    """`granted_by` keeps its contract-v1 value; `card` says whether a card grants the line."""
    from rencai.policy.calculator import entitlements
    from rencai.policy.contract.profile import parse_profile
    from tests.profiles import doctor

    lines = {b["id"]: b for b in entitlements(parse_profile(doctor()))["benefits"]}
    rent = lines["sjz.b.rent_subsidy"]
    assert rent["card"] == "card.b" and rent["granted_by"] == "card.b"
    service = next(b for b in lines.values() if b["kind"] == "service")
    assert service["card"] == service["granted_by"]

    master = doctor(on="2023-06-01")
    master["person"]["education"][0].update(
        degree="master", school_tags=[], graduation_date="2022-06-30"
    )
    master["employment"]["start_date"] = "2022-08-01"
    lines = {b["id"]: b for b in entitlements(parse_profile(master))["benefits"]}
    settling = lines["sjz.retention.graduate_settling"]
    assert settling["card"] is None
    assert settling["granted_by"] == "石政办发〔2022〕6号"
