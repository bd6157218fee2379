"""The calculator's answer (contract v1) as a model: what the API declares and documents.

The calculator builds the answer as plain data (``calculator.entitlements``); this model names
the sections every answer has and lets each item carry its own fields (a card's services, a
benefit's amount, period and citation, a refusal's reasons), which it passes on unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Item(BaseModel):
    """One card, benefit, recognition or programme in a section of the answer."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str


class EntitlementResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    jurisdiction: str
    on: str
    cards: list[Item]
    benefits: list[Item]
    not_eligible: list[Item]
    needs_information: list[dict[str, Any]]
    needs_administrator: list[dict[str, Any]]
    exclusivity: list[dict[str, Any]]
    recognitions: list[Item]
    may_apply: list[Item]
    contract_version: int
