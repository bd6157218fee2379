"""人才绿卡副卡: the card for the parents and spouse of an A-card talent or a B-card doctor.

Documents encoded:

- 《关于深入实施新时代人才强市战略的若干措施（试行）》 (2023-11-03; no number printed, the text
  is the 《河北日报》 report of 2023-11-06): 深入实施人才绿卡制度, the 副卡 and its services.
"""

from __future__ import annotations

from typing import Any

from openfisca_core.periods import DAY
from openfisca_core.variables import Variable

from rencai.policy.citations import Citation
from rencai.policy.engine.model import Degree, Family, Relation
from rencai.policy.jurisdictions.shijiazhuang.common import in_force, leaf
from rencai.policy.jurisdictions.shijiazhuang.green_card import service_items
from rencai.policy.leaves import idx, lookup, plain
from rencai.policy.rules import Card, Category, all_of


def _family_talent_holds(card_variable: str) -> type[Variable]:
    def formula(family, period, parameters):
        return family.any(family.members(card_variable, period), role=Family.TALENT)

    return type(
        f"family_talent_{card_variable}",
        (Variable,),
        {
            "value_type": bool,
            "entity": Family,
            "definition_period": DAY,
            "label": f"家庭中的人才符合 {card_variable}",
            "formula": formula,
        },
    )


def _family_talent_b_doctor() -> type[Variable]:
    def formula(family, period, parameters):
        doctor = family.members("card_b", period) & (
            plain(family.members("highest_degree", period)) == idx(Degree.doctorate)
        )
        return family.any(doctor, role=Family.TALENT)

    return type(
        "family_talent_card_b_doctor",
        (Variable,),
        {
            "value_type": bool,
            "entity": Family,
            "definition_period": DAY,
            "label": "家庭中的人才为B卡博士人才",
            "formula": formula,
        },
    )


# family card (副卡)
relation_parent_or_spouse = leaf(
    name="relative_is_parent_or_spouse",
    label="人才的父母或配偶",
    reads=["family"],
    formula=lambda p, t, _: (
        lookup({idx(Relation.parent): 1, idx(Relation.spouse): 1}, len(Relation))[
            plain(p("relation", t))
        ]
        == 1
    ),
    describe=lambda f, held: "人才的父母或配偶" if held else "副卡只为人才的父母、配偶办理",
    qualifying=False,
)


family_card_in_force = in_force(
    name="family_card_in_force",
    what="人才绿卡副卡政策",
    path="family_card.in_force",
    since="2023年11月3日",
)


sponsor_a = leaf(
    name="sponsor_holds_card_a",
    label="A卡人才的家属",
    reads=["card:card.a"],
    formula=lambda p, t, _: p.family("family_talent_card_a", t),
    describe=lambda f, held: "A卡人才的家属" if held else "人才不符合A卡条件",
)


sponsor_b_doctor = leaf(
    name="sponsor_is_card_b_doctor",
    label="B卡博士人才的家属",
    reads=["card:card.b", "person.education"],
    formula=lambda p, t, _: p.family("family_talent_card_b_doctor", t),
    describe=lambda f, held: "B卡博士人才的家属" if held else "人才不是B卡博士人才",
)


FAMILY_QUOTE = Citation(
    document="《关于深入实施新时代人才强市战略的若干措施（试行）》（2023年11月3日发布；见《河北日报》2023年11月6日）",
    clause="深入实施人才绿卡制度",
    quote="對符合條件的A卡人才、B卡博士人才,為其父母、配偶辦理人才綠卡副卡,享受出入境、醫療保健、"
    "公交地鐵景點免費等服務項目",
)


CARD_FAMILY = Card(
    id="card.family",
    name="人才绿卡副卡",
    category_noun="副卡办理范围",
    citation=FAMILY_QUOTE,
    scope=all_of(relation_parent_or_spouse, family_card_in_force),
    categories=(
        Category(number=1, rule=sponsor_a, citation=FAMILY_QUOTE, summary="A卡人才的父母、配偶"),
        Category(
            number=2,
            rule=sponsor_b_doctor,
            citation=FAMILY_QUOTE,
            summary="B卡博士人才的父母、配偶",
        ),
    ),
    per_relative=True,
    sponsors=("card.a", "card.b"),
)


def family_card_services() -> list[dict[str, Any]]:
    data = service_items()
    return [
        {"id": f"sjz.family.service.{i['id']}", "name": i["name"], "citation": i["citation"]}
        for i in data["card.family"]
    ]


HELPERS: list[type[Variable]] = [_family_talent_holds("card_a"), _family_talent_b_doctor()]
