"""Tax-benefit systems: the shared person model plus one jurisdiction's parameters and programs."""

from __future__ import annotations

from functools import cache

from openfisca_core.parameters import ParameterNode, load_parameter_file
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rencai.policy.cities import Jurisdiction, registry
from rencai.policy.engine.model import (
    ENTITIES,
    UNSTATED_FACTS,
    Person,
    input_variables,
    unstated_column,
)
from rencai.policy.rules import compile_program

__all__ = ["Jurisdiction", "JurisdictionSystem", "system_for"]


class JurisdictionSystem(TaxBenefitSystem):
    """An OpenFisca system for one jurisdiction, with its compiled program attached."""

    def __init__(self, jurisdiction: Jurisdiction):
        super().__init__(ENTITIES)
        self.jurisdiction = jurisdiction
        self.program = jurisdiction.program_factory()
        for variable in input_variables():
            self.add_variable(variable)
        unstated = {path: unstated_column(path) for path in UNSTATED_FACTS}
        for variable in compile_program(self.program, Person, unstated):
            self.add_variable(variable)
        self.parameters: ParameterNode = load_parameter_file(str(jurisdiction.parameters_dir))


@cache
def system_for(code: str) -> JurisdictionSystem:
    return JurisdictionSystem(registry()[code])
