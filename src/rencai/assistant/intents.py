"""What kind of question it is: the intent (amount, eligibility, personal calculation, process,
case status, information) and the ways of asking that decide it — how long a benefit lasts,
how long one must have paid in, whether a service is free, what to submit, whether two benefits
stack, what a document says."""

from __future__ import annotations

import re

from rencai.assistant.answers import Intent
from rencai.assistant.funding import FUNDING_ASKED

CASE_WORDS = re.compile(
    r"我的(?:申请|办件|案件|补贴|钱|卡|绿卡|材料)|我(?:申请|交|提交|报)的|到哪一?步|进度|审(?:核|批)到|"
    r"审核(?:结果|情况|状态)|什么时候(?:能)?(?:发|到账|打款|下来)|(?:发|到账|打款)了(?:吗|没)|"
    r"(?:钱|补贴)(?:还)?没(?:到|发)|我(?:还)?有几期|剩(?:下|余)?几期|被退回|退回补正"
)
PERSONAL_WORDS = re.compile(r"我|本人|俺|咱")
PROCESS_WORDS = re.compile(
    r"材料|要带|带什么|带啥|提交什么|准备什么|几份|去哪|哪里办|哪儿办|找谁|哪个部门|什么部门|窗口|"
    r"流程|手续|怎么(?:申请|办|办理|领|申领|报名|申报)|如何(?:申请|办理|申领|申报)|在哪(?:里)?(?:申请|申领|办)|"
    r"几个工作日|工作日|(?:多久|多长时间)(?:能|可以|才能)?(?:办|批|审|下来|出结果|到账)|多少天|办结|时限|"
    r"(?:办理|办完|办好|办下来|批下来|审核|审批|受理|公示)[^，。]{0,4}(?:多久|多长时间)|公示|停发|停止发放|"
    r"(?:什么|啥)时(?:候|间)(?:开始)?(?:申报|申请|报名|受理)|何时(?:申报|申请|报名)|申报(?:时间|日期)|"
    r"追回|退还|返还|退钱|退回|违约|取消资格|收回|复核|审核|审批|网上办|线上|"
    # what follows a breach (“造假会怎么样”, “验收不通过有什么后果”): the clawback notes
    r"造假|弄虚作假|骗取|套取|后果|会怎么?样|怎么处理|不通过|"
    # …and whether money must be given back (“中途离开要退吗”)
    r"(?:要|得|需要|用不用|会不会|会)退(?:回|还|钱)?(?:吗|么|不)"
)
AMOUNT_WORDS = re.compile(
    r"多少|几万|几千|几百|金额|标准|钱|补(?:贴|助)(?:是)?多|给多|发多|发几年|几年|多久|多长|年限|期限|"
    r"几个月|最高|最多|上限|一次性|每月|每年|按月"
)
ELIGIBILITY_WORDS = re.compile(
    r"能不能|能否|可不可以|可以(?:申请|办|领|享受|拿)|能(?:申请|办|领|享受|拿|报)|符合|条件|资格|"
    r"要求|同时|叠加|重复|兼得|一起拿|都能|限制|年龄|多大|超过|够不够|够格|算不算|属于|包括|范围|"
    r"谁能|哪些人|什么人|可以自己(?:申请|申报|报名)|能自己(?:申请|申报|报名)"
)
# how long one must have paid in (“要交几个月社保”): a condition, not a benefit's duration
CONDITION_DURATION = re.compile(
    r"(?:交|缴|缴纳|缴费)[^，。]{0,4}(?:几个月|几年|多久|多长时间)[^，。]{0,2}"
    r"(?:社保|社会保险|养老保险|失业保险|医保)|"
    r"(?:社保|社会保险|养老保险|失业保险)[^，。]{0,4}(?:交|缴|缴纳)?[^，。]{0,2}(?:几个月|几年|多久|多长时间)|"
    # …as a contract's term (“要签多长的劳动合同”) and a minimum size (“至少要多少人”)
    r"签[^，。]{0,4}(?:几年|多长|多久)[^，。]{0,2}(?:劳动)?合同|(?:至少|最少|不少于)[^，。]{0,3}(?:多少|几)个?人"
)
# how long a benefit lasts (“补贴发多长时间”, “能住多长时间”, “按多长时间算”): its 期限, not how
# long the office takes
DURATION_ASKED = re.compile(
    r"(?:补贴|补助|津贴|资助|奖励|发放?|领|住|享受|支持|管理期|有效期|期限|资助期|培养)[^，。]{0,6}"
    r"(?:多久|多长时间|多长期限|几年|几个月|多少年|多少个月)|(?:按|算)[^，。]{0,2}多长时间"
)
MONEY_WORDS = re.compile(r"补贴|补助|津贴|资助|奖励|奖金|钱|经费|资金|安家费|房补")

# whether a service costs the person anything (“免费吗”, “要钱吗”, “收费吗”)
FREE_ASKED = re.compile(r"免费|收费|要钱吗|要花钱|花钱吗|要不要钱|自费|付费")

APPLY_WORDS = re.compile(r"(?:怎么|怎样|如何)(?:申请|申领|办理|办)|申请条件|申领条件|谁(?:能|可以)")
MATERIAL_WORDS = re.compile(r"材料|要带|带什么|带啥|提交什么|准备什么|需要什么证明|证件|几份")
STACKING = re.compile(r"同时|叠加|兼得|一起拿|都能拿|重复|两个都|都拿|就高|还能(?:拿|领|享受|申请)")

# a question asking what a document says, once its 文号 is taken out (“讲的啥”, “主要内容”)
DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}[字发函规]〔\d{4}〕\d{1,3}号")
WHOLE_DOCUMENT = re.compile(
    r"[\s，。？?！!]*(?:这个|这份|该)?(?:文件|政策)?(?:讲|说|写|规定)?(?:的|了)?"
    r"(?:是)?(?:啥|什么|哪些|什么内容|啥内容|主要内容|内容)?(?:政策|文件|内容)?"
    r"(?:呢|吗|啊)?[\s，。？?！!]*"
)

# a question about who may have a program or what it requires (“年龄有限制吗”, “至少要几个人”)
CONDITION_ASKED = re.compile(
    r"条件|要求|资格|年龄|多大|限制|至少|最少|不少于|几个人|多少人|合同|什么人|谁能|哪些人|职称|学历|"
    r"自己(?:申请|申报|报名)"
)


def route(text: str) -> Intent:
    """The intent of a normalised question."""
    if CASE_WORDS.search(text):
        return "case_status"
    duration = DURATION_ASKED.search(text)
    if PROCESS_WORDS.search(text) and not duration and not re.search(r"多少钱|几万|金额", text):
        return "process"
    if re.search(r"要多久|多久能|多长时间能|几天能", text) and not duration:
        return "process"
    personal_facts = re.search(
        r"(?:\d{2}|[一二三四五六七八九十]{2,3})\s*(?:周岁|岁)|(?:19|20)?\d{2}\s*年?\s*(?:出生|生人|后)|"
        r"我(?:是|今年|在|刚|去年|打算|准备|想去|毕业)",
        text,
    )
    if (
        PERSONAL_WORDS.search(text)
        and personal_facts
        and re.search(r"博士|硕士|研究生|本科|学士|大专|专科|岁|出生|生人|双一流", text)
    ):
        return "personal"
    if CONDITION_DURATION.search(text):
        return "eligibility"
    if duration and not MONEY_WORDS.search(text):
        # how long something that is not money lasts (管理期, 服务期, 能住多长时间): its terms
        return "information"
    if FREE_ASKED.search(text) and not FUNDING_ASKED.search(text):
        # “免费吗”, “要钱吗”: what the service is, not an amount to compute
        return "information"
    if WHO_SETS.search(text) and not re.search(r"多少|几万|几千|金额", text):
        # who sets a standard (“标准是谁定的”) is not its amount: the clause saying who does
        return "information"
    if AMOUNT_WORDS.search(text) and not re.search(r"能不能|能否|同时|叠加|条件|资格", text):
        return "amount"
    if ELIGIBILITY_WORDS.search(text):
        return "eligibility"
    if AMOUNT_WORDS.search(text) or re.search(r"补贴|补助|安家费|津贴|房补", text):
        return "amount"
    return "information"


# who does something (“是哪个单位颁发的”, “标准是谁定的”): the clause about the thing named whole
WHO_ASKED = re.compile(
    r"哪个(?:单位|部门|机构)|哪家(?:单位|机构)|由谁|谁(?:来)?(?:发|颁发|认定|定|制定|确定|负责|审)"
)
# …and who sets or decides it (“补贴标准是谁定的”), not what it is measured against (“比照谁定”)
WHO_SETS = re.compile(r"(?<!比照)(?<!参照)谁(?:来)?(?:定|制定|确定)|由谁(?:来)?(?:定|制定|确定)")
# a clause saying who sets it: “标准由各市(地)以上人力资源社会保障部门会同财政部门确定”
SET_BY = re.compile(r"由[^，。；]{2,40}?(?:确定|制定|核定)")
