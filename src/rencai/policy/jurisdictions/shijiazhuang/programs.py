"""Shijiazhuang's program: every document's declarations, assembled in one order.

Each module encodes one document or family of documents and opens with the list of them; this
module only puts their cards, benefits and exclusivity groups together. The order of the benefits
is the order in which results list them.
"""

from __future__ import annotations

from rencai.policy.jurisdictions.shijiazhuang import (
    apprentice_2022,
    common,
    craftsman,
    family_card,
    green_card,
    green_card_money,
    income_plan_2022,
    industry_2021_42,
    innovation_studios_2022,
    lifelong_skills_2019,
    recognition,
    rental_housing,
    retention_2022,
    science_2019,
    skills,
    unit_awards,
    vocschool_2021,
)
from rencai.policy.rules import Program

family_card_services = family_card.family_card_services


def program() -> Program:
    return Program(
        jurisdiction="shijiazhuang",
        conditions=list(common.CONDITIONS.values()),
        cards=[
            green_card.CARD_A,
            green_card.CARD_B,
            green_card.CARD_COUNTY,
            family_card.CARD_FAMILY,
        ],
        benefits=[
            *green_card_money.MONEY,
            *green_card_money.A_MONEY,
            *retention_2022.RETENTION,
            *rental_housing.RENTAL_HOUSING,
            *unit_awards.UNIT_AWARDS,
            retention_2022.POSTDOC_PLATFORM,
            *industry_2021_42.INDUSTRY_2021_42,
            industry_2021_42.HIGH_END_TALENT,
            retention_2022.INDUSTRY_INSTITUTE,
            vocschool_2021.SCHOOL_TRAINING_BASE,
            innovation_studios_2022.STUDIO_GRANT,
            income_plan_2022.GAZELLE_AWARD,
            *rental_housing.UNIT_SUPPORT,
            retention_2022.POSTDOC_RESEARCHER,
            *skills.SKILLS,
            skills.CLASS1_AWARD,
            lifelong_skills_2019.SKILL_UPGRADE,
            *lifelong_skills_2019.APPRENTICESHIP,
            apprentice_2022.TECHNICIAN_SUBSIDY,
            craftsman.SELECTION,
            craftsman.AWARD,
            science_2019.LEADER_SELECTION,
            *recognition.RECOGNITION,
            recognition.SUPPORT_PLAN_GRANT,
            *green_card.services(),
        ],
        exclusivity=[*green_card_money.EXCLUSIVITY, *industry_2021_42.EXCLUSIVITY],
        field_labels={"employment.start_date": "到石工作或创业之日"},
        helpers=[
            *common.HELPERS,
            *family_card.HELPERS,
            *green_card_money.HELPERS,
            *retention_2022.HELPERS,
            *rental_housing.HELPERS,
            *skills.HELPERS,
            *industry_2021_42.HELPERS,
            *lifelong_skills_2019.HELPERS,
        ],
    )
