"""石办字〔2021〕17号 (2021-08-12) 《关于推进职业院校和技工院校融合发展全面提升职业技能培训质量的
实施方案》.

二（三）: a vocational or technician school whose new high-skill training base reaches the national
or provincial standard receives 500万 or 300万 once (answered for a unit). The city-standard tier
(150万) is the same support as 石字〔2021〕7号 第5条's new city base, answered by
``sjz.unit.training_base`` (decision 0113). The plan's other items are catalogued.
"""

from __future__ import annotations

from rencai.policy.citations import Citation
from rencai.policy.engine.model import SchoolTrainingBase
from rencai.policy.jurisdictions.shijiazhuang.common import (
    in_force,
    in_shijiazhuang,
    leaf,
    unit_query,
)
from rencai.policy.leaves import idx, plain
from rencai.policy.rules import Amount, Benefit, all_of

plan_in_force = in_force(
    name="vocschool_2021_in_force",
    what="石办字〔2021〕17号",
    path="units.school_training_base.national",
    since="2021年8月12日",
)


school_base = leaf(
    name="unit_school_training_base_reached",
    label="职业院校或技工院校新创建的高技能人才培训基地达到国家级或省级标准",
    reads=[],
    formula=lambda p, t, _: (
        plain(p("unit_new_school_training_base", t)) != idx(SchoolTrainingBase.none)
    ),
    describe=lambda f, held: (
        f"院校新创建的高技能人才培训基地达到{SchoolTrainingBase[f.get('unit_new_school_training_base')].value}标准"
        if held
        else "院校新创建的高技能人才培训基地未达到国家级或省级标准"
    ),
)


SCHOOL_TRAINING_BASE = Benefit(
    id="sjz.unit.school_training_base",
    name="院校高技能人才培训基地一次性资金支持",
    kind="money",
    target="employer",
    audience=all_of(unit_query, school_base),
    requires=all_of(plan_in_force, in_shijiazhuang),
    amount=Amount(parameter="units.school_training_base", keys=("unit_new_school_training_base",)),
    per="once",
    condition="职业院校或技工院校创建，经认定达到相应标准后拨付",
    citation=Citation(
        document="石办字〔2021〕17号",
        clause="二（三）",
        quote="支持职业院校和技工院校创建高技能人才培训基地，达到国家级、省级、市级标准的，"
        "分别给予500万元、300万元、150万元一次性资金支持。",
    ),
)
