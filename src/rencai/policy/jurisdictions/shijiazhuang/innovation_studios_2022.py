"""石工总字〔2022〕11号 (2022-12-21) 《石家庄市劳模和工匠人才（名师、名医）创新工作室管理办法》.

第十六条: the city federation of trade unions gives each newly named city-level innovation studio a
one-time 5000元 grant, answered for a unit (the studio's unit) like the other awards to units.
The naming itself (第六条、第七条) and the priorities (第十二条、第十三条) are catalogued.
"""

from __future__ import annotations

from rencai.policy.citations import Citation
from rencai.policy.jurisdictions.shijiazhuang.common import (
    employer_in,
    flag,
    in_force,
    in_shijiazhuang,
    unit_query,
)
from rencai.policy.rules import Amount, Benefit, all_of

DOCUMENT = "石工总字〔2022〕11号"

# 第十九条: "本办法自印发之日起施行" (2022-12-21). Before that day the grant does not exist: the
# answer says the measures are not yet in force, not that the amount awaits the office.
studios_in_force = in_force(
    name="innovation_studios_2022_in_force",
    what=DOCUMENT,
    path="innovation_studios_2022.in_force",
    since="2022年12月21日",
)

new_city_innovation_studio = flag(
    name="unit_is_new_city_innovation_studio",
    label="经评定命名的市级劳模和工匠人才（名师、名医）创新工作室",
    variable="unit_new_city_innovation_studio",
    reads=[],
    negative="未经评定命名为市级劳模和工匠人才（名师、名医）创新工作室",
)


# 第三条: "申报市级创新工作室的单位，必须具有法人资格，建立工会组织的企事业单位" (decision 0314)
studio_unit = employer_in(
    name="studio_unit_enterprise_or_institution",
    label="企事业单位",
    types=["enterprise", "public_institution", "civil_service_managed_institution"],
)


STUDIO_GRANT = Benefit(
    id="sjz.unit.innovation_studio_grant",
    name="市级劳模和工匠人才创新工作室一次性资金补助",
    kind="money",
    target="employer",
    audience=all_of(unit_query, new_city_innovation_studio),
    requires=all_of(studios_in_force, in_shijiazhuang, studio_unit),
    amount=Amount(parameter="innovation_studios_2022.grant"),
    per="once",
    condition="申报单位具有法人资格并已建立工会组织；经评定命名后由市总工会拨付，"
    "用于技术攻关、技术革新、发明创造和技能培训等活动，专款专用",
    citation=Citation(
        document=DOCUMENT,
        clause="第十六条",
        quote="市总工会对评定命名的市级创新工作室一次性给予 5000 元资金补助",
    ),
)
