"""《石家庄市增加城乡居民可支配收入行动计划（2022-2025年）》 (no number; web version of 2022-06-01).

Item 3: a one-time award to an enterprise first rated a Shijiazhuang gazelle enterprise, by
category — 一年爆发式增长 50万, 三年复合式增长 80万, 五年连续增长 100万 (decision 0113: the 择优
selection is the rating itself). The plan's other grants are catalogued.
"""

from __future__ import annotations

from rencai.policy.citations import Citation
from rencai.policy.engine.model import GazelleCategory
from rencai.policy.jurisdictions.shijiazhuang.common import (
    enterprise,
    in_force,
    in_shijiazhuang,
    leaf,
    unit_query,
)
from rencai.policy.leaves import idx, plain
from rencai.policy.rules import Amount, Benefit, all_of

DOCUMENT = "石家庄市增加城乡居民可支配收入行动计划（2022-2025年）"

plan_in_force = in_force(
    name="income_plan_2022_in_force",
    what="石家庄市增加城乡居民可支配收入行动计划（2022-2025年）",
    path="income_plan_2022.in_force",
    since="2022年6月1日",
    until="2026-01-01",
)


first_gazelle = leaf(
    name="unit_is_first_time_gazelle",
    label="首次评选为石家庄市瞪羚企业",
    reads=[],
    formula=lambda p, t, _: plain(p("unit_first_gazelle_category", t)) != idx(GazelleCategory.none),
    describe=lambda f, held: (
        f"首次评选为石家庄市{GazelleCategory[f.get('unit_first_gazelle_category')].value}"
        if held
        else "未首次评选为石家庄市瞪羚企业"
    ),
)


GAZELLE_AWARD = Benefit(
    id="sjz.unit.gazelle_award",
    name="首次评选为瞪羚企业一次性奖励",
    kind="money",
    target="employer",
    audience=all_of(unit_query, first_gazelle),
    # "瞪羚企业 … 给予企业": a public institution or other unit is not rated (decision 0314)
    requires=all_of(plan_in_force, in_shijiazhuang, enterprise),
    amount=Amount(
        parameter="income_plan_2022.gazelle_award", keys=("unit_first_gazelle_category",)
    ),
    per="once",
    condition="首次评选为该类瞪羚企业；按类别择优确定后拨付",
    citation=Citation(
        document=DOCUMENT,
        clause="3",
        quote="对于首次评选为石家庄市一年爆发式增长、三年复合式增长和五年连续增长的瞪羚企业，"
        "分类择优给予企业50万、80万和100万一次性奖励。",
    ),
)
