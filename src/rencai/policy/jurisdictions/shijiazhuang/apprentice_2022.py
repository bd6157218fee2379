"""石人社字〔2022〕36号 《转发〈关于全面推行中国特色企业新型学徒制加强技能人才培养的实施意见〉
的通知》 (2022; the day of issue is not printed), forwarding 冀人社规〔2022〕5号.

二: the enterprise's apprenticeship subsidy per apprentice and year — 中级工 5000元, 高级工、技师和
高级技师 6000元. The intermediate and advanced rates continue the 2019 opinions' subsidy (their
values are dated in ``apprenticeship.*``, computed by ``lifelong_skills_2019``); the technician
and senior-technician levels are new here (decision 0117). Until the administrator records the day
of issue, a day in 2022 before 2022-12-31 asks for it.
"""

from __future__ import annotations

from rencai.policy.citations import Citation
from rencai.policy.jurisdictions.shijiazhuang.lifelong_skills_2019 import apprentice_subsidy

DOCUMENT = "石人社字〔2022〕36号"

TECHNICIAN_SUBSIDY = apprentice_subsidy(
    "sjz.apprentice2022.technician_subsidy",
    "企业新型学徒制培训补贴（技师和高级技师）",
    "technician",
    "技师和高级技师",
    "2022年（印发之日）",
    Citation(
        document=DOCUMENT,
        clause="二",
        quote="补贴标准按照中级工每人每年5000元，高级工、技师和高级技师每人每年6000元执行。"
        "补贴期限按照实际培训期限（不超过备案期限）计算。",
    ),
)
