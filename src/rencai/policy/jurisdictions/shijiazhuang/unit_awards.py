"""Awards to units (a profile's ``unit`` section speaks for the employer).

Documents encoded:

- 石字〔2021〕7号 (2021-02-10) 《中共石家庄市委 石家庄市人民政府关于高质量建设人才强市的实施意见》
  第5条: new city-level high-skill training bases and skill master studios;
- 《关于石家庄市新创建高技能人才培训基地、市技能大师工作室及全职引进和培养的高技能人才认定奖励
  工作的实施细则》 (no number or date printed): how the same awards are decided.

The award to new postdoctoral platforms comes from another document: see ``retention_2022``.
"""

from __future__ import annotations

from rencai.policy.citations import Citation
from rencai.policy.jurisdictions.shijiazhuang.common import (
    flag,
    in_force,
    in_shijiazhuang,
    unit_query,
)
from rencai.policy.rules import Amount, Benefit, all_of

new_city_training_base = flag(
    name="unit_is_new_city_training_base",
    label="新创建的市级高技能人才培训基地",
    variable="unit_new_city_training_base",
    reads=[],
    negative="未新创建市级高技能人才培训基地",
)


new_city_master_studio = flag(
    name="unit_is_new_city_master_studio",
    label="新评定的市级技能大师工作室",
    variable="unit_new_city_master_studio",
    reads=[],
    negative="未新评定市级技能大师工作室",
)


# Both supports begin with 石字〔2021〕7号 (2021-02-10); before it a unit is told the measures were
# not yet in force, not that the amount awaits the office (the amounts are dated from that day).
training_base_in_force = in_force(
    name="training_base_support_in_force",
    what="石字〔2021〕7号",
    path="units.training_base",
    since="2021年2月10日",
)


master_studio_in_force = in_force(
    name="master_studio_support_in_force",
    what="石字〔2021〕7号",
    path="units.master_studio",
    since="2021年2月10日",
)


UNIT_AWARDS = [
    Benefit(
        id="sjz.unit.training_base",
        name="新创建市级高技能人才培训基地支持",
        kind="money",
        target="employer",
        audience=all_of(unit_query, new_city_training_base),
        requires=all_of(training_base_in_force, in_shijiazhuang),
        amount=Amount(parameter="units.training_base"),
        per="once",
        condition="经评审新创建为市级高技能人才培训基地后拨付",
        citation=Citation(
            document="石字〔2021〕7号",
            clause="5",
            quote="对新创建的市级高技能人才培训基地给予150万元支持",
        ),
    ),
    Benefit(
        id="sjz.unit.master_studio",
        name="新评定市级技能大师工作室支持",
        kind="money",
        target="employer",
        audience=all_of(unit_query, new_city_master_studio),
        requires=all_of(master_studio_in_force, in_shijiazhuang),
        amount=Amount(parameter="units.master_studio"),
        per="once",
        condition="经评审新评定为市级技能大师工作室后拨付",
        citation=Citation(
            document="石字〔2021〕7号",
            clause="5",
            quote="对新评定的市级技能大师工作室给予10万元支持。",
        ),
    ),
]
