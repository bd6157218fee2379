"""云骥: answer a question in Simplified Chinese, citing the clauses it rests on.

A question is normalised (Traditional → Simplified, abbreviations, typos), routed to an intent,
its facts read into slots, and the clause index searched. Every amount, age limit, duration and
eligibility in an answer comes from the calculator (``rencai.policy.calculator.entitlements``)
on the date asked; the clause is quoted verbatim from the library; procedures (department,
working days, 公示) come from ``rencai.policy.procedures``. When the question is outside the three
cities' talent policies, or no clause is found with enough confidence, the answer says so and
points to the office: it never invents a clause or an amount.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from rencai import clock
from rencai.assistant import slots as slotting
from rencai.assistant.index import Clause, ClauseIndex, Hit, clause_index
from rencai.assistant.slots import DEGREE_LABELS, Slots
from rencai.assistant.text import expand, normalise, to_simplified
from rencai.policy.calculator import entitlements
from rencai.policy.catalogue import Entry
from rencai.policy.citations import clause_heading
from rencai.policy.cities import names
from rencai.policy.contract.profile import ProfileError, parse_profile
from rencai.policy.procedures import DEPARTMENTS, procedures

Intent = Literal[
    "amount", "eligibility", "personal", "process", "case_status", "information", "out_of_scope"
]
INTENT_LABELS = {
    "amount": "金额标准",
    "eligibility": "申领条件",
    "personal": "个人测算",
    "process": "办理流程",
    "case_status": "办件进度",
    "information": "政策咨询",
    "out_of_scope": "超出范围",
}
MAX_QUESTION = 300

# Where to ask when the assistant cannot answer: an administrator's setting (offices.yaml)
_OFFICES = yaml.safe_load(Path(__file__).with_name("offices.yaml").read_text(encoding="utf-8"))
OFFICES: dict[str, str] = {k: str(v) for k, v in _OFFICES.items() if k != "any"}
ANY_OFFICE = str(_OFFICES["any"])

# Outside the three cities' talent policies: other places, tax arithmetic, daily life
OTHER_PLACES = (
    "北京",
    "上海",
    "天津",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "武汉",
    "成都",
    "重庆",
    "西安",
    "苏州",
    "保定",
    "唐山",
    "邯郸",
    "邢台",
    "廊坊",
    "衡水",
    "承德",
    "张家口",
    "秦皇岛",
    "雄安",
    "沈阳",
    "大连",
    "葫芦岛",
    "郑州",
    "济南",
    "青岛",
    "长沙",
    "合肥",
    "海南",
    "香港",
    "澳门",
    "台湾",
    "美国",
    "日本",
)
OFF_TOPIC = re.compile(
    r"天气|下雨|气温|五险一金.*扣|工资条|到手工资|税后工资|个税|个人所得税|所得税.*(?:算|计算|扣|交)|专项附加扣除|股票|基金涨|彩票|房价|"
    r"菜谱|怎么做饭|电影|球赛|足球|篮球|高考|中考|考研分数|分数线|医保报销|社保断缴|养老金.*(?:算|多少)|"
    r"驾照|违章|车牌|护照办理|签证.*(?:美国|日本|欧洲)|离婚|结婚证|彩礼|星座|运势|笑话|讲个故事|写.*(?:诗|作文)|"
    r"翻译|汇率|比特币|外卖|快递|火车票|机票|酒店|旅游|景点|宠物|减肥|失眠|感冒|发烧|"
    r"公积金.*(?:提取|取出)|积分落户|落户积分|积分入户|退休年龄|产假|工伤|加班费|劳动仲裁|辞退|裁员|赔偿|考公|国考|省考|"
    r"人工智能.*(?:是什么)|你是谁|你叫什么|讲讲你自己"
)

# another place's own policy (“天津的人才绿卡”), asked even beside one of the three cities
OTHER_PLACES_OWN = r"(?:市|省)?(?:的)?(?:人才绿卡|绿卡|人才卡|人才政策|政策|补贴)"

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
# who pays (“谁出钱”, “资金从哪里来”, “由谁承担”, “钱是哪出的”): the program's funding
FUNDING_ASKED = re.compile(
    r"谁(?:来)?(?:出钱|出资|掏钱|买单|承担|负担|支付|拨付|给钱|保障|出)|"
    r"由谁(?:来)?(?:承担|负担|出|支付|拨付|列支|保障)|"
    r"(?:钱|资金|经费|奖金|补贴|补助|奖励|津贴)[^，。]{0,4}(?:从)?(?:哪里|哪儿|哪)(?:来|出|列支|拨|支出)|"
    r"资金来源|经费来源|(?:哪|哪一)级财政|哪个财政|(?:财政|政府|单位|企业)(?:出|给|承担)(?:钱)?还是|"
    r"(?:用不用|要不要|需不需要)(?:企业|单位|自己)(?:出钱|出资|承担)|"
    r"哪(?:个|一)?(?:部门|单位|级)(?:来)?(?:出钱|出资|承担|负担|出)|"
    # “是市里出还是区里出”, “县里要承担吗”, “企业自己出吗”
    r"(?:市里|县里|区里|省里|国家|企业|单位|个人|自己)(?:自己)?(?:要|也|来)?"
    r"(?:出钱|出资|掏钱|承担|负担|出)(?:吗|还是|呢|么)"
)
# …and those words alone, taken out of the question before the program is searched
FUNDING_WORDS = re.compile(
    r"(?:的)?(?:钱|资金|经费)?(?:是)?(?:从)?(?:哪里|哪儿|哪)(?:来|出|列支|拨|支出)(?:的)?|"
    r"(?:是)?(?:由)?谁(?:来)?(?:出钱|出资|掏钱|买单|承担|负担|支付|拨付|给钱|保障|出)|"
    r"资金来源|经费来源|(?:哪|哪一)级财政(?:出)?|哪个财政|"
    r"(?:是)?(?:财政|政府|单位|企业)(?:出|给|承担)(?:钱)?还是[^，。]{0,4}|"
    r"(?:用不用|要不要|需不需要)(?:企业|单位|自己)(?:出钱|出资|承担)|"
    r"哪(?:个|一)?(?:部门|单位|级)(?:来)?(?:出钱|出资|承担|负担|出)|"
    r"(?:是)?(?:市里|县里|区里|省里|国家|企业|单位|个人|自己)(?:自己)?(?:要|也|来)?"
    r"(?:出钱|出资|掏钱|承担|负担|出)(?:吗|还是[^，。]{0,5}|呢|么)"
)
# whether a service costs the person anything (“免费吗”, “要钱吗”, “收费吗”)
FREE_ASKED = re.compile(r"免费|收费|要钱吗|要花钱|花钱吗|要不要钱|自费|付费")
# how many people a program takes or has taken (“有多少人”, “多少个名额”); not a condition
# (“至少要多少人”) nor a household (“几口人”)
COUNT_ASKED = re.compile(
    r"(?<!哪)(?:多少|几)(?:个|位|名)?(?P<what>人次|人(?!才)|名额|名(?!称)|家(?!庭)|张|套|户|"
    r"大学生|毕业生|博士|硕士|人才|专家|企业|单位)|(?P<quota>名额)"
)
COUNT_CONDITION = re.compile(r"至少|最少|不少于|不低于|以上|家庭|几口人|人家庭")
# a count stated by the texts (“每次100名”, “每年支持10名左右”, “3—4家”, “18万人次”), of the kind
# asked: people are counted in 名, 人, 人次, 位; units in 家, 个, 户; cards in 张; flats in 套
_NUMBER = r"[\d一二三四五六七八九十百千万]+(?:\s*[—\-~至到]\s*[\d一二三四五六七八九十百千万]+)?\s*"
COUNT_UNITS = {
    "people": r"(?:名|人次|人(?![才及])|位)",
    "units": r"(?:家|个(?![月工])|户)",
    "cards": r"张",
    "flats": r"套",
}
COUNT_KINDS = {"张": "cards", "套": "flats", "家": "units", "户": "units", "企业": "units"}
COUNT_KINDS["单位"] = "units"
CARD_WORDS = {"a卡": "card.a", "b卡": "card.b", "县卡": "card.county", "副卡": "card.family"}
# a card's services asked in lay words (“注册公司”): the texts' words, only beside a card named,
# so that “怎么注册公司” alone stays outside the policies
CARD_SERVICE_WORDS = re.compile(
    r"注册公司|开公司|办公司|注册企业|成立公司|(?:办|领|申请|申办|办理)营业执照"
)
CARD_SERVICE_TERMS = "企业登记 工商"
APPLY_WORDS = re.compile(r"(?:怎么|怎样|如何)(?:申请|申领|办理|办)|申请条件|申领条件|谁(?:能|可以)")
MATERIAL_WORDS = re.compile(r"材料|要带|带什么|带啥|提交什么|准备什么|需要什么证明|证件|几份")
STACKING = re.compile(r"同时|叠加|兼得|一起拿|都能拿|重复|两个都|都拿|就高|还能(?:拿|领|享受|申请)")
# words that name something the library covers (a question without any is not about it)
DOMAIN_HINT = re.compile(
    r"人才|补贴|补助|奖励|资助|绿卡|卡|博士|硕士|本科|学士|毕业生|落户|户籍|安家|租房|房租|购房|住房|公寓|"
    r"创业|技能|工匠|技师|职称|驿站|院士|专家|引进|留|政策|津贴|经费|贴息|贷款|子女|配偶|入学|社保|"
    r"社会保险|就业|招聘|培训|竞赛|大赛|专利|团队|领军|企业|单位|申领|申请|办理|公示|审核|材料|"
    r"保障性租赁|保租房|青年|学徒|认定|服务|双一流|博士后|县|区"
)

# a question asking what a document says, once its 文号 is taken out (“讲的啥”, “主要内容”)
DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}[字发函规]〔\d{4}〕\d{1,3}号")
WHOLE_DOCUMENT = re.compile(
    r"[\s，。？?！!]*(?:这个|这份|该)?(?:文件|政策)?(?:讲|说|写|规定)?(?:的|了)?"
    r"(?:是)?(?:啥|什么|哪些|什么内容|啥内容|主要内容|内容)?(?:政策|文件|内容)?"
    r"(?:呢|吗|啊)?[\s，。？?！!]*"
)
# a question naming no city is answered per city when another city's clause scores this close
PER_CITY_SHARE = 0.85
CITY_ORDER = ("shijiazhuang", "jinzhou", "cangzhou")
MIN_SCORE = 8.5  # BM25 score below which no clause is trusted (decision 0150)
MIN_SCORE_CITY = 7.5  # the same when the question names one of the three cities (or its words)
MIN_SCORE_UNHINTED = 10.0  # the same for a question without any of the library's usual words
MIN_COVERAGE = 0.25  # share of the question's content words the library knows


@dataclass
class Amount:
    benefit: str
    name: str
    amount: str  # Decimal as text, yuan
    per: str | None  # month | year | once
    periods: int | None
    total: str | None
    degree: str | None
    facts: str  # the facts it was computed for, in Chinese
    citation: dict[str, Any]


@dataclass
class Answer:
    question: str
    answer: str
    intent: Intent
    refused: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    eligibility: list[dict[str, Any]] = field(default_factory=list)
    ask: dict[str, str] | None = None  # the one fact asked back: {"slot", "question"}
    slots: dict[str, Any] = field(default_factory=dict)
    calculator_url: str | None = None
    jurisdiction: str | None = None
    on: str = ""
    confidence: float = 0.0
    office: str | None = None
    records: dict[str, list[int]] | None = None  # the asker's own cases and schedules cited

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": self.citations,
            "refused": self.refused,
            "intent": self.intent,
            "intent_label": INTENT_LABELS[self.intent],
            "amounts": [a.__dict__ for a in self.amounts],
            "eligibility": self.eligibility,
            "ask": self.ask,
            "slots": self.slots,
            "calculator_url": self.calculator_url,
            "jurisdiction": self.jurisdiction,
            "on": self.on,
            "confidence": round(self.confidence, 3),
            "office": self.office,
            "question": self.question,
            "records": self.records,
        }


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long): its Chinese message."""


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
    if AMOUNT_WORDS.search(text) and not re.search(r"能不能|能否|同时|叠加|条件|资格", text):
        return "amount"
    if ELIGIBILITY_WORDS.search(text):
        return "eligibility"
    if AMOUNT_WORDS.search(text) or re.search(r"补贴|补助|安家费|津贴|房补", text):
        return "amount"
    return "information"


def _refusal(
    question: str,
    intent: Intent,
    on: dt.date,
    jurisdiction: str | None,
    why: str,
    confidence: float = 0.0,
) -> Answer:
    office = OFFICES.get(jurisdiction or "", ANY_OFFICE)
    return Answer(
        question=question,
        answer=f"{why}建议咨询{office}。",
        intent=intent,
        refused=True,
        jurisdiction=jurisdiction,
        on=on.isoformat(),
        confidence=confidence,
        office=office,
    )


def _citation(clause: Clause) -> dict[str, Any]:
    data = clause.citation()
    simplified = to_simplified(clause.quote)
    if simplified != clause.quote:
        data["quote_simplified"] = simplified
    return data


def _entries(ix: ClauseIndex, clause: Clause) -> list[Entry]:
    return [ix.catalogue.entries[p] for p in clause.programs if p in ix.catalogue.entries]


def _money(value: Any) -> str:
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{int(amount):,}元".replace(",", "")
    return f"{amount}元"


PER_LABELS = {"month": "每月", "year": "每年", "once": "一次性"}


def _amount_phrase(a: Amount) -> str:
    per = PER_LABELS.get(a.per or "", "")
    text = f"{a.name}{per}{_money(a.amount)}"
    if a.per in ("month", "year") and a.periods:
        unit = "个月" if a.per == "month" else "年"
        text += f"，共{a.periods}{unit}"
        if a.total:
            text += f"（合计{_money(a.total)}）"
    return text


def _compute(slots: Slots, on: dt.date) -> dict[str, Any] | None:
    """The calculator's result for the slots' profile (the same profile is computed once per
    process and date: the rules and dated parameters are read from the library)."""
    return _computed(json.dumps(slotting.profile(slots, on), sort_keys=True), on)


@lru_cache(maxsize=1024)
def _computed(profile: str, on: dt.date) -> dict[str, Any] | None:
    try:
        return entitlements(parse_profile(json.loads(profile)), on)
    except (ProfileError, ValueError):
        return None


def warm(on: dt.date | None = None) -> None:
    """Build the clause index and load each computed city's rules (before the first question)."""
    clause_index()
    day = on or clock.today()
    for city in ("shijiazhuang", "jinzhou"):
        _compute(slotting.reference(Slots(jurisdiction=city, degree="master"), day), day)


def _variants(slots: Slots, degree: str, on: dt.date) -> list[Slots]:
    """The reference person with the stated facts and ``degree``; then, when the question does
    not say which school, the same person from a “双一流” university (the B卡 route for masters
    and bachelors), so that a card's amount is shown for one who holds the card."""
    person = slotting.reference(slots, on)
    person.degree = degree
    out = [person]
    if not slots.school_tags and degree in ("master", "bachelor"):
        tagged = slotting.reference(slots, on)
        tagged.degree = degree
        tagged.school_tags = ["double_first_class"]
        out.append(tagged)
    return out


def _engine_amounts(
    targets: list[str], slots: Slots, on: dt.date
) -> tuple[list[Amount], list[dict[str, Any]]]:
    """The calculator's amounts of ``targets`` for the person ``slots`` describes (the reference
    person where a fact is unstated); one row per degree when the degree is unstated."""
    degrees = [slots.degree] if slots.degree else ["doctorate", "master", "bachelor"]
    found: list[Amount] = []
    why_not: list[dict[str, Any]] = []
    for degree in degrees:
        refused: list[dict[str, Any]] = []
        for person in _variants(slots, degree, on):
            result = _compute(person, on)
            if result is None:
                continue
            rows = [
                Amount(
                    benefit=benefit["id"],
                    name=benefit["name"],
                    amount=str(benefit["amount"]),
                    per=benefit.get("per"),
                    periods=benefit.get("periods"),
                    total=str(benefit["total"]) if benefit.get("total") else None,
                    degree=degree,
                    facts=slotting.describe(person, on),
                    citation=benefit.get("citation") or {},
                )
                for benefit in result.get("benefits", [])
                if benefit["id"] in targets and benefit.get("amount") is not None
            ]
            if rows:
                found += rows
                refused = []
                break
            refused = [
                {"degree": degree, **item}
                for item in result.get("not_eligible", [])
                if item["id"] in targets
            ]
        why_not += refused
    return found, why_not


def _search(
    ix: ClauseIndex, text: str, jurisdiction: str | None, k: int = 8
) -> tuple[list[Hit], float, list[str]]:
    tokens = ix.query_tokens(text)
    words = [t for t in tokens if not t.startswith("#")]
    known = [t for t in words if t in ix.vocabulary]
    coverage = len(set(known)) / len(set(words)) if words else 0.0
    hits = ix.search(tokens, jurisdiction=jurisdiction, k=k)
    return hits, coverage, words


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str]] = set()
    out = []
    for hit in hits:
        key = (hit.clause.document, hit.clause.clause)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


def _focus(hits: list[Hit], intent: Intent, text: str, on: dt.date) -> list[Hit]:
    """Best first; among near-equal scores, clauses the calculator answers rise for amounts and
    who-may questions, a card's scope (申领范围) rises for who-may and what-to-submit questions,
    and a clause whose document has expired on the date asked falls below a current one."""
    if not hits:
        return hits
    top = hits[0].score
    scope = intent == "eligibility" or bool(MATERIAL_WORDS.search(text) or APPLY_WORDS.search(text))

    named = {card for word, card in CARD_WORDS.items() if word in text}
    # a subject that is a program of its own (保租房: TOPIC_ONLY) names that program's clauses
    subject = _topics(text) & set(TOPIC_ONLY)

    person = bool(PERSON_WORDS.search(text)) and not UNIT_WORDS.search(text)
    # …and one about a team or a platform, not a person (“科技人才团队在锦州创业”)
    team = bool(TEAM_WORDS.search(text)) and not (
        PERSON_WORDS.search(text) or MEMBER_WORDS.search(text)
    )
    # a group the question names (“残疾青年”): a program confined to another group ranks lower
    groups = set(GROUP_WORDS.findall(text))

    def bonus(h: Hit) -> float:
        expired = h.clause.expires is not None and h.clause.expires < on
        for_units = person and _for_units_only(h.clause)
        for_persons = team and _for_persons_only(h.clause)
        # a clause about another card than the one the question names (the 副卡's services when
        # the B卡's are asked) ranks below the named card's own
        cards = _cards(h.clause.computed)
        other_card = len(named) == 1 and bool(cards) and not cards & named
        confined = _confined(h.clause) - groups
        return (
            base(h)
            - (0.05 * top if expired else 0.0)
            - (0.3 * top if for_units or for_persons else 0.0)
            - (0.15 * top if other_card else 0.0)
            - (0.15 * top if confined else 0.0)
        )

    def base(h: Hit) -> float:
        # (for an amount, a clause computing one of the card's benefits is the card's own)
        own = _cards(h.clause.computed) if intent == "amount" else set(h.clause.computed)
        if len(named) == 1 and h.score > 0.6 * top and named <= own:
            # the card the question names: its own clauses first
            return 0.2 * top + (
                0.15 * top if scope and h.clause.clause.startswith("申领范围") else 0
            )
        if subject and h.score > 0.5 * top and subject & _topics(" ".join(h.clause.grants)):
            # (who may have it is answered by the program's admission clauses, 准入)
            admission = scope and any("准入" in g for g in h.clause.grants)
            return (
                0.2 * top
                + (0.08 * top if intent == "amount" and h.clause.computed else 0)
                + (0.15 * top if admission else 0)
            )
        if h.score <= 0.8 * top:
            return 0.0
        if intent in ("amount", "personal", "eligibility") and h.clause.computed:
            return 0.08 * top
        if scope and h.clause.clause.startswith("申领范围"):
            return 0.15 * top
        if intent == "process" and _has_process_notes(h.clause):
            # how a program is applied for is answered where its procedure is written
            return 0.15 * top
        return 0.0

    return _own_first(sorted(hits, key=lambda h: -(h.score + bonus(h))))


OWN_SHARE = 0.8  # a program's own clause scoring this close to a restatement of it ranks first


def _own_first(hits: list[Hit]) -> list[Hit]:
    """A clause restating another document's program (the income plan's “设立‘企业骨干人才奖’”
    for 石政办发〔2022〕6号 第11条, the province's framework for the city's apprenticeship subsidy)
    ranks just below the program's own clause when the two score alike."""
    ix = clause_index()
    out = list(hits)
    for hit in hits:
        here = out.index(hit)
        # (another item of the same document, a card's service, is a part of it, not a restatement)
        owns = [ix.entry_clause.get(p) for p in hit.clause.programs]
        if not owns or any(
            own is None or own is hit.clause or own.document == hit.clause.document for own in owns
        ):
            continue
        later = [
            h
            for h in out[here + 1 :]
            if any(own is h.clause for own in owns) and h.score >= OWN_SHARE * hit.score
        ]
        if later:
            out.remove(later[0])
            out.insert(here, later[0])
    return out


def _has_process_notes(clause: Clause) -> bool:
    entries = clause_index().catalogue.entries
    return any(entries[p].process or entries[p].deadlines for p in clause.programs if p in entries)


# a question about a person (a degree named) and not about an employer or a platform
PERSON_WORDS = re.compile(r"博士(?!后)|硕士|本科|学士|研究生|大学生|毕业生")
UNIT_WORDS = re.compile(r"企业|公司|单位|机构|团队|平台|基地|工作站|工作室|学校|院校")
# …and one about a team (not the employer a person works for, nor a team's members)
TEAM_WORDS = re.compile(r"团队")
MEMBER_WORDS = re.compile(r"成员|带头人|负责人|个人")
# groups a program may be confined to (“残疾青年职业培训补贴”)
GROUP_WORDS = re.compile(r"残疾|退役军人|农民工")


def _confined(clause: Clause) -> set[str]:
    """The groups every grant of the clause is confined to (none for a general program)."""
    named = [set(GROUP_WORDS.findall(g)) for g in clause.grants]
    return set.intersection(*named) if named and all(named) else set()


def _for_persons_only(clause: Clause) -> bool:
    """Whether every program the clause grants goes to a person."""
    entries = clause_index().catalogue.entries
    targets = {entries[p].target for p in clause.programs if p in entries}
    return targets == {"person"}


def _for_units_only(clause: Clause) -> bool:
    """Whether every program the clause grants goes to an employer or an institution."""
    entries = clause_index().catalogue.entries
    targets = {entries[p].target for p in clause.programs if p in entries}
    return bool(targets) and "person" not in targets


# What an amount question asks about, to keep another program's amount out of its answer
TOPIC_WORDS = {
    "rent": re.compile(r"房租|租房|(?<![购住买])房补|租金|租赁|租住"),
    "purchase": re.compile(r"购房|买房"),
    "startup": re.compile(r"创业"),
    "settlement": re.compile(r"安家"),
    "living": re.compile(r"生活补贴|生活费"),
    "housing": re.compile(r"居住补贴|住房补贴"),
    "rental_housing": re.compile(r"保租房|保障性租赁住房|保障房"),
}
# a named program's topic is the whole subject (保租房's 租赁补贴 is not a card's 房租补助);
# 住房补贴 is what a card calls 房租补助 and 购房补贴 as well
TOPIC_ONLY = ("rental_housing",)
TOPIC_ALSO = {"housing": {"rent", "purchase"}}


def _shown(missing: list[str]) -> str:
    """The words a refusal names: the cards as the texts write them (A卡、B卡), else the longest."""
    cards = [w.upper() for w in missing if w in CARD_WORDS]
    return "、".join(cards) if cards else max(missing, key=len)


def _mentioned(word: str, text: str) -> bool:
    """Whether a city's text mentions the word, also with a word between its halves (租房补贴 in
    “租房购房补贴”)."""
    if word in text:
        return True
    if len(word) < 4:
        return False
    half = len(word) // 2
    return re.search(re.escape(word[:half]) + r"\w{1,4}" + re.escape(word[half:]), text) is not None


def _topics(text: str, asked: bool = True) -> set[str]:
    """The subjects a question asks about (``asked``: 住房补贴 asks about renting and buying
    alike), or the subject a benefit's name states (a 居住补贴 is not a 购房补贴)."""
    found = {name for name, words in TOPIC_WORDS.items() if words.search(text)}
    for only in TOPIC_ONLY:
        if only in found:
            return {only}
    for name, also in TOPIC_ALSO.items():
        if asked and name in found:
            found |= also
    return found


def _cards(computed: list[str]) -> set[str]:
    """The cards a clause is about: those it grants and those whose benefits it computes
    (``sjz.b.rent_subsidy`` is a B卡 benefit)."""
    out = {c for c in computed if c.startswith("card.")}
    for c in computed:
        parts = c.split(".")
        if len(parts) > 2 and parts[1] in ("a", "b", "county"):
            out.add(f"card.{parts[1]}")
    return out


def _money_ids(computed: list[str]) -> list[str]:
    """The benefits among a clause's computed ids (not its cards nor their services)."""
    return [c for c in computed if not c.startswith("card.") and ".service." not in c]


def _process_lines(ix: ClauseIndex, clause: Clause) -> list[str]:
    lines = []
    programs = set(clause.programs) | set(clause.computed)
    proc = procedures(clause.jurisdiction)
    for limit in proc.limits:
        cited = (limit.citation.document, limit.citation.clause) == (clause.document, clause.clause)
        if limit.program in programs or cited:
            days = (
                "即报即批（当日办结）"
                if limit.working_days == 0
                else f"{limit.working_days}个工作日内办结"
            )
            lines.append(f"由{DEPARTMENTS.get(limit.department, limit.department)}办理，{days}。")
    for notice in proc.notices:
        cited = (notice.citation.document, notice.citation.clause) == (
            clause.document,
            clause.clause,
        )
        if notice.program in programs or cited:
            unit = "个工作日" if notice.unit == "working_days" else "天"
            lines.append(f"评审结果公示{notice.days}{unit}。")
    for entry in _entries(ix, clause):
        if entry.process:
            lines.append(f"办理：{entry.process}")
        if entry.deadlines:
            lines.append(f"时限：{entry.deadlines}")
        if entry.clawback:
            lines.append(f"停发与追回：{entry.clawback}")
        if entry.exclusivity:
            lines.append(f"不可兼得：{entry.exclusivity}")
    # (a catalogue note is a phrase: each is made a sentence of its own)
    return list(dict.fromkeys(line if line[-1:] in "。；！？" else line + "。" for line in lines))


def _summary(ix: ClauseIndex, clause: Clause) -> str:
    """The clause's program summary (the catalogue writes it for citizens; its notes for the
    offices are a field of their own, never read here). A value the texts leave to the office
    (“具体金额待主管部门明确”) names the city's office to ask, as the pages do."""
    entries = _entries(ix, clause)
    text = entries[0].summary if entries else "；".join(clause.grants)
    if "金额待主管部门明确" in text:
        office = OFFICES.get(clause.jurisdiction, ANY_OFFICE)
        text = text.replace("金额待主管部门明确", f"金额待主管部门明确，请向{office}咨询", 1)
    return text


# a question about who may have a program or what it requires (“年龄有限制吗”, “至少要几个人”)
CONDITION_ASKED = re.compile(
    r"条件|要求|资格|年龄|多大|限制|至少|最少|不少于|几个人|多少人|合同|什么人|谁能|哪些人|职称|学历|"
    r"自己(?:申请|申报|报名)"
)


# a question about how many are chosen (“一年评几家”, “每次支持几个”): a selection's quota
QUOTA_ASKED = re.compile(r"(?:几|多少)(?:家|个|名|项)|名额")


def _terms(ix: ClauseIndex, clause: Clause, text: str, intent: Intent, summary: str) -> list[str]:
    """What the program's summary leaves out and the question asks: its conditions for a question
    about who may have it, a selection's quota, its standards (amounts, durations) for an amount
    question."""
    entries = _entries(ix, clause)
    flat = re.sub(r"\s+", "", summary)

    def untold(items: Iterable[str]) -> list[str]:
        return [i for i in dict.fromkeys(items) if re.sub(r"\s+", "", i) not in flat]

    lines = []
    if intent in ("eligibility", "information") and CONDITION_ASKED.search(text):
        conditions = untold(c for e in entries for c in e.conditions)
        if conditions:
            lines.append("条件：" + "；".join(conditions) + "。")
    if QUOTA_ASKED.search(text):
        quotas = untold(e.quota for e in entries if e.quota)
        if quotas:
            lines.append("名额：" + "；".join(quotas) + "。")
    if intent == "amount" or DURATION_ASKED.search(text):
        # (a standard whose every figure the summary already states adds nothing; a term asked
        # of something that is not money, “培养期限最长几年”, is among the standards too)
        figures = set(re.findall(r"\d+(?:\.\d+)?", summary))
        standards = [
            a
            for a in untold(a for e in entries for a in e.amounts)
            if not set(re.findall(r"\d+(?:\.\d+)?", a)) <= figures
        ]
        if standards:
            lines.append("标准：" + "；".join(standards) + "。")
    return lines


def _city(code: str | None) -> str:
    return names().get(code or "", "")


def _source(clause: Clause, on: dt.date) -> tuple[str, str, str]:
    """(依据…, 原文：“…”, validity note) of a clause, as the answer states them."""
    where = _city(clause.jurisdiction)
    if clause.document == clause.document_title or "〔" not in clause.document:
        # (a document without a 文号 is named by its title alone)
        source = f"依据{where}《{clause.document_title}》{clause.clause}"
    else:
        source = f"依据{where}《{clause.document_title}》（{clause.document}）{clause.clause}"
    return source, f"原文：“{to_simplified(clause.quote)}”", _validity(clause, on)


def _validity(clause: Clause, on: dt.date) -> str:
    if clause.expires and clause.expires < on:
        until = clause.expires.isoformat()
        return f"（注意：该文件有效期至{until}，查询日已过期，以主管部门答复为准。）"
    if clause.effective and clause.effective > on:
        return f"（注意：该文件自{clause.effective.isoformat()}起施行，查询日尚未施行。）"
    return ""


ASK_BACK = {
    "jurisdiction": "请问您在哪个城市工作或打算去哪个城市（石家庄、锦州、沧州）？",
    "degree": "请问您的最高学历是什么（博士、硕士、本科或大专）？",
    "age": "请问您今年多大（周岁），或哪一年出生？",
    "county": "请问您在哪个县（市、区）工作（例如长安区、正定县）？",
    "employer_type": "请问您在什么类型的单位工作（企业、事业单位、机关，或自主创业）？",
}
# the county asked back names the asker's own city's counties as examples
COUNTY_EXAMPLES = {"jinzhou": "古塔区、凌海市"}


def _ask_back(need: str, slots: Slots) -> str:
    examples = COUNTY_EXAMPLES.get(slots.jurisdiction or "")
    if need == "county" and examples:
        return f"请问您在哪个县（市、区）工作（例如{examples}）？"
    return ASK_BACK[need]


def _missing(slots: Slots) -> str | None:
    if slots.jurisdiction is None:
        return "jurisdiction"
    if slots.jurisdiction == "cangzhou":
        return None  # nothing computed: the catalogue answers
    if slots.degree is None:
        return "degree"
    if slots.age is None and slots.birth_year is None:
        return "age"
    if slots.county is None:
        return "county"
    if slots.employer_type is None:
        return "employer_type"
    return None


def _personal(question: str, slots: Slots, on: dt.date, ix: ClauseIndex, hits: list[Hit]) -> Answer:
    answer = Answer(
        question=question,
        answer="",
        intent="personal",
        jurisdiction=slots.jurisdiction,
        on=on.isoformat(),
        slots=slots.as_dict(),
        confidence=1.0,
    )
    if (need := _missing(slots)) is not None:
        prompt = _ask_back(need, slots)
        answer.ask = {"slot": need, "question": prompt}
        answer.answer = "为了按政策为您测算，还需要了解一项情况：" + prompt
        answer.citations = [_citation(h.clause) for h in hits[:3]]
        return answer
    answer.calculator_url = slotting.calculator_link(slots, on)
    if slots.jurisdiction == "cangzhou":
        answer.answer = (
            "沧州市的人才政策文件未载明可据以计算的具体条件和金额，相关待遇由主管部门认定。"
            f"建议咨询{OFFICES['cangzhou']}。"
        )
        answer.citations = [_citation(h.clause) for h in hits[:3]]
        return answer
    result = _compute(slots, on)
    if result is None:
        return _refusal(question, "personal", on, slots.jurisdiction, "按您所述情况暂时无法测算。")
    facts = slotting.describe(slots, on)
    lines = [f"按{on.isoformat()}施行的政策，以“{facts}”测算："]
    cards = [c["name"] for c in result.get("cards", [])]
    if cards:
        lines.append("可申领：" + "、".join(cards) + "。")
    for card in result.get("cards", []):
        answer.eligibility.append(
            {"id": card["id"], "name": card["name"], "eligible": True, "because": card["because"]}
        )
    for item in result.get("not_eligible", []):
        if item["id"].startswith("card."):
            answer.eligibility.append(
                {
                    "id": item["id"],
                    "name": item["name"],
                    "eligible": False,
                    "because": item["why_not"],
                }
            )
    citations: list[tuple[bool, dict[str, Any]]] = []
    asked = _topics(normalise(question))
    for benefit in result.get("benefits", []):
        if benefit.get("amount") is None:
            continue
        amount = Amount(
            benefit=benefit["id"],
            name=benefit["name"],
            amount=str(benefit["amount"]),
            per=benefit.get("per"),
            periods=benefit.get("periods"),
            total=str(benefit["total"]) if benefit.get("total") else None,
            degree=slots.degree,
            facts=facts,
            citation=benefit.get("citation") or {},
        )
        answer.amounts.append(amount)
        lines.append(_amount_phrase(amount) + "；")
        clause = _clause_for(ix, benefit["id"])
        if clause is not None:
            citations.append((bool(_topics(benefit["name"]) & asked), _citation(clause)))
    services = [b["name"] for b in result.get("benefits", []) if b.get("amount") is None]
    if services:
        lines.append("另可享受" + "、".join(dict.fromkeys(services)) + "等服务。")
    if not cards and not answer.amounts:
        lines.append("按所述情况，暂未测算出可享受的人才卡或资金补贴。")
        money = [
            item
            for item in result.get("not_eligible", [])
            if _clause_for(ix, item["id"]) is not None and not item["id"].startswith("card.")
        ]
        for item in money[:3]:
            lines.append(f"{item['name']}：{'；'.join(item['why_not'])}。")
    needs = [n["name"] for n in result.get("needs_information", [])]
    if needs:
        lines.append("以下项目还需补充情况才能判断：" + "、".join(needs[:4]) + "。")
    lines.append("如有信息不准，请点“在计算器中修改”核对。")
    answer.answer = "".join(lines)
    # the benefit the question asks about (“能拿多少安家费”) rests on its own clause: first
    ordered = [c for _, c in sorted(citations, key=lambda pair: not pair[0])]
    seen: set[tuple[str, str]] = set()
    for c in ordered + [_citation(h.clause) for h in hits[:2]]:
        key = (str(c["document"]), str(c["clause"]))
        if key not in seen:
            seen.add(key)
            answer.citations.append(c)
    return answer


def _card_checks(
    ix: ClauseIndex, clause: Clause, slots: Slots, on: dt.date, answer: Answer
) -> list[str]:
    """For a card's clause: the calculator's verdict on the card for the person the question
    describes (the reference person of decision 0149, a doctor when no degree is stated), with
    the engine's reasons — the age limit and category as the dated parameters set them."""
    cards = [
        c
        for c in ix.computed_by_clause.get((clause.document, clause.clause), [])
        if c.startswith("card.")
    ]
    if not cards or clause.jurisdiction not in ("shijiazhuang", "jinzhou"):
        return []
    person = slotting.reference(slots, on)
    person.degree = slots.degree or "doctorate"
    result = _compute(person, on)
    if result is None:
        return []
    facts = slotting.describe(person, on)
    lines = []
    for card in result.get("cards", []):
        if card["id"] in cards:
            because = "；".join(card["because"])
            answer.eligibility.append(
                {
                    "id": card["id"],
                    "name": card["name"],
                    "eligible": True,
                    "because": card["because"],
                }
            )
            lines.append(f"按“{facts}”测算，可申领{card['name']}：{because}。")
    for item in result.get("not_eligible", []):
        if item["id"] in cards:
            why = "；".join(item["why_not"])
            answer.eligibility.append(
                {
                    "id": item["id"],
                    "name": item["name"],
                    "eligible": False,
                    "because": item["why_not"],
                }
            )
            lines.append(f"按“{facts}”测算，不能申领{item['name']}：{why}。")
    if lines:
        answer.calculator_url = slotting.calculator_link(person, on)
    return lines


def _clause_cited(ix: ClauseIndex, citation: dict[str, Any]) -> Clause | None:
    """The library's clause a calculator citation quotes (the one whose quote holds it)."""
    same = [
        c
        for c in ix.clauses
        if c.document == citation.get("document") and c.clause == citation.get("clause")
    ]
    quoted = "".join(str(citation.get("quote") or "").split())
    for c in same:
        theirs = "".join(c.quote.split())
        if quoted and (quoted in theirs or theirs in quoted):
            return c
    return same[0] if same else None


def _clause_for(ix: ClauseIndex, benefit: str) -> Clause | None:
    for clause in ix.clauses:
        if benefit in clause.computed:
            return clause
    return None


def ask(
    question: str,
    on: dt.date | None = None,
    jurisdiction: str | None = None,
    earlier: dict[str, Any] | None = None,
    cases: Callable[[str], Answer] | None = None,
    materials: Callable[[str], list[str]] | None = None,
) -> Answer:
    """The answer to one question (``earlier``: slots carried from the previous turn; ``cases``:
    answers a case question from the asker's own records, when the asker is known;
    ``materials``: the administrator's list of materials for a program, where one is set)."""
    day = on or clock.today()
    raw = (question or "").strip()
    if not raw:
        raise QuestionError("请输入问题")
    if len(raw) > MAX_QUESTION:
        raise QuestionError(f"问题过长（不超过{MAX_QUESTION}个字）")
    text = normalise(raw)
    # a date the question names (“2020年的时候”) wins over the date of asking
    day = slotting.asked_date(text, day) or day
    ix = clause_index()
    stated = slotting.fill(text, day)
    if jurisdiction and stated.jurisdiction and stated.jurisdiction != jurisdiction:
        pass  # the question names its city: it wins over the page's choice
    elif jurisdiction:
        stated.jurisdiction = jurisdiction
    carried = Slots.from_dict(earlier) if earlier else None
    slots = stated.merged(carried)
    city = slots.jurisdiction
    intent = route(text)
    if (
        carried is not None
        and intent in ("information", "amount", "eligibility")
        and len(text) <= 20
        and stated.as_dict()
    ):
        # an answer to a fact asked back (“硕士”, “30岁”) continues the personal calculation
        intent = "personal"

    # outside the three cities' policies
    # (a certification abroad, “通过美国认证”, is a clause of the library, not another place's
    # policy; another place's own card or policy is, whatever city is named beside it)
    other = [p for p in OTHER_PLACES if re.search(re.escape(p) + r"(?![^，。]{0,8}认证)", text)]
    owned = [p for p in other if re.search(re.escape(p) + OTHER_PLACES_OWN, text)]
    if other and (owned or not (city and any(w in text for w in slotting.CITY_WORDS[city]))):
        return _refusal(
            raw,
            "out_of_scope",
            day,
            None,
            f"本平台只收录石家庄、锦州、沧州三市的人才政策，没有{other[0]}的政策依据，无法回答。",
        )
    if OFF_TOPIC.search(text) and not re.search(r"人才|绿卡|补贴|安家|房租", text):
        return _refusal(
            raw,
            "out_of_scope",
            day,
            city,
            "这个问题不属于人才政策咨询范围，本平台的政策库中没有相关条款。",
        )
    if intent == "case_status" and cases is not None:
        return cases(raw)
    if intent == "case_status":
        return Answer(
            question=raw,
            answer="查询本人申请进度和补贴发放情况，请先登录；登录后可以直接问“我的申请到哪一步了”。",
            intent="case_status",
            jurisdiction=city,
            on=day.isoformat(),
            confidence=1.0,
        )

    named_cards = {card for word, card in CARD_WORDS.items() if word in text}
    searched = text
    if named_cards and CARD_SERVICE_WORDS.search(text):
        searched = text + " " + CARD_SERVICE_TERMS
    # (a card named: deeper, so that the card's own clauses are among the hits ranked)
    hits, coverage, words = _search(ix, searched, city, k=40 if named_cards else 8)
    # a question naming a 文号 of the library is about that document
    names_document = any(w.startswith("§") and w in ix.vocabulary for w in words)
    # …and one naming a program of the library (“人才贷”, “石家庄工匠”) is about that program
    bare = re.sub(r"[\W_]+", "", text)
    # (a program of another city than the one asked about does not count)
    words_here = [
        w for w in ix.program_words if city is None or city in ix.program_word_cities.get(w, ())
    ]
    names_program = any(w in text for w in words_here) or (
        len(bare) >= 3 and any(bare in w for w in words_here)
    )
    hits = _focus(_dedupe(hits), intent, text, day)
    if names_document and WHOLE_DOCUMENT.fullmatch(DOCUMENT_NUMBER.sub("", text)):
        # a question about a whole document (“石办字〔2017〕39号讲的啥”): the clause covering
        # all its items first
        named_documents = {w[1:] for w in words if w.startswith("§")}
        hits = sorted(
            hits,
            key=lambda h: not (h.clause.document in named_documents and "—" in h.clause.clause),
        )
    top = hits[0].score if hits else 0.0
    if intent == "personal" or (carried is not None and intent != "process"):
        return _personal(raw, slots, day, ix, hits)
    hinted = bool(DOMAIN_HINT.search(text))
    confident = (
        names_document
        or names_program
        or (
            bool(hits)
            and top >= (MIN_SCORE_CITY if stated.jurisdiction else MIN_SCORE)
            and coverage >= MIN_COVERAGE
            and (hinted or top >= MIN_SCORE_UNHINTED)
        )
    )
    if not confident:
        return _refusal(
            raw,
            intent if hinted else "out_of_scope",
            day,
            city,
            "政策库中没有找到能够回答这个问题的条款。",
            confidence=top,
        )
    # a program only other cities have (“锦州人才公寓”), which the city's texts do not mention
    # in any word of theirs: the city's texts do not answer it
    elsewhere = [
        w
        for w in ix.program_words
        if len(w) >= 4 and w in text and city and city not in ix.program_word_cities.get(w, ())
    ]
    # …as a subject that is a program of its own (保租房), or a kind of money (购房, 安家), the
    # city's texts never name (decision 0361)
    for subject in _topics(text, asked=False) if city else set():
        asked = TOPIC_WORDS[subject].search(text)
        if asked and not TOPIC_WORDS[subject].search(ix.city_text(city or "")):
            elsewhere.append(asked.group(0))
    if city and city != "shijiazhuang" and not names_program:
        elsewhere += [w for w in CARD_WORDS if w in text]  # the cards are Shijiazhuang's
    # (a program of the city named counts only where it is what is asked about: “高层次人才”
    # beside “个人所得税” does not make the tax reward one of Cangzhou's)
    found_here = [w for w in words_here if w in text]
    if city and elsewhere and (found_here or not names_program) and not names_document:
        here = ix.city_text(city)
        missing = [
            w
            for w in elsewhere
            if not any(w in f or f in w for f in found_here)
            and (
                w not in here
                if w in CARD_WORDS
                else not any(_mentioned(x, here) for x in expand(w).split())
            )
        ]
        if missing:
            return _refusal(
                raw,
                intent,
                day,
                city,
                f"{_city(city)}的政策文件中没有关于“{_shown(missing)}”的规定。",
                confidence=top,
            )
    # no city named, and clauses of several cities answer alike: each city's, 石家庄 first
    # (decision 0305)
    other_cities: list[Hit] = []
    if stated.jurisdiction is None and carried is None and intent in ("process", "information"):
        firsts: dict[str, Hit] = {}
        for h in hits:
            if h.score >= PER_CITY_SHARE * top:
                firsts.setdefault(h.clause.jurisdiction, h)
        if len(firsts) > 1:
            ordered = [firsts[c] for c in CITY_ORDER if c in firsts]
            hits = ordered + [h for h in hits if h not in ordered]
            other_cities = ordered[1:]
    if FUNDING_ASKED.search(text):
        # (the program is searched without the words asking who pays: “钱”, “哪里来”)
        about = FUNDING_WORDS.sub(" ", text)
        program_hits, _, _ = _search(ix, about, city, k=8)
        ranked = _focus(_dedupe(program_hits), route(about), about, day)
        return _funding_answer(raw, ix, ranked or hits, city, day, slots)
    count = COUNT_ASKED.search(text)
    if (
        count is not None
        and not COUNT_CONDITION.search(text)
        and not _count_stated(ix, hits[0].clause, COUNT_KINDS.get(count.group("what") or ""))
    ):
        # how many people: where the texts state no number, they are not made to say one
        name = _program_name(ix, hits[0].clause)
        return _refusal(
            raw,
            intent,
            day,
            city or hits[0].clause.jurisdiction,
            f"政策文件没有规定或公布{name}的数量（人数、名额）。",
            confidence=top,
        )
    best = hits[0].clause
    answer = Answer(
        question=raw,
        answer="",
        intent=intent,
        jurisdiction=city or best.jurisdiction,
        on=day.isoformat(),
        confidence=top,
        slots=slots.as_dict(),
        citations=[_citation(h.clause) for h in hits[:3]],
    )
    source, quote, validity = _source(best, day)

    if intent == "eligibility" and STACKING.search(text):
        rules = [
            (e.exclusivity, e.name, ix.entry_clause[e.id])
            for h in hits[:3]
            for e in _entries(ix, h.clause)
            if e.exclusivity
        ]
        if rules:
            first = rules[0][2]
            cited = [first] + [h.clause for h in hits if h.clause is not first]
            answer.citations = [_citation(c) for c in cited[:3]]
            source, quote, validity = _source(first, day)
            shown = "；".join(dict.fromkeys(f"{name}：{rule}" for rule, name, _ in rules))
            answer.answer = f"关于能否同时享受，政策规定——{shown}。{source}。{quote}{validity}"
            return answer
    if intent in ("amount", "eligibility") and (
        intent == "amount" or slots.degree or AMOUNT_WORDS.search(text)
    ):
        named_cards = {card for word, card in CARD_WORDS.items() if word in text}
        amounts: list[Amount] = []
        why_not: list[dict[str, Any]] = []
        why_not_hit: Hit | None = None
        chosen: Hit | None = None
        money_first = False
        topics = _topics(text)
        tied = len(hits) > 1 and hits[1].score >= 0.9 * hits[0].score
        # the best clause is about the subject asked and the calculator computes none of it (the
        # 200万元 安家补助 of the 2023 measures): its own standard answers, not another
        # program's amount (decision 0362)
        first = hits[0].clause
        first_decides = (
            bool(topics)
            and not _money_ids(ix.computed_by_clause.get((first.document, first.clause), []))
            and bool(_topics(" ".join(first.grants), asked=False) & topics)
        )
        for rank, hit in enumerate(hits[:3]):
            if rank and first_decides:
                break
            computed = ix.computed_by_clause.get((hit.clause.document, hit.clause.clause), [])
            if not computed or hit.clause.jurisdiction not in ("shijiazhuang", "jinzhou"):
                continue
            amounts, refused = _engine_amounts(computed, slots, day)
            if len(named_cards) == 1:
                # a card the question names (“县卡持卡人…”): that card's amounts, not another's
                amounts = [a for a in amounts if _cards([a.benefit]) in (set(), named_cards)]
            if topics:
                # an amount answers only about what the question asks (房租, 创业 …)
                amounts = [a for a in amounts if _topics(a.name, asked=False) & topics]
                refused = [
                    r for r in refused if _topics(str(r.get("name", "")), asked=False) & topics
                ]
            elif rank and hit.score < 0.8 * hits[0].score:
                amounts, refused = [], []  # …and a far weaker match does not answer at all
            if rank == 0:
                money_first = bool(_money_ids(computed))
            if refused and not why_not and (rank == 0 or (topics and not money_first)):
                # a lower clause's reasons count only when it is about what the question asks
                why_not, why_not_hit = refused, hit
            if amounts or (rank == 0 and _money_ids(computed) and not tied):
                # the best clause computing money decides (unless the next is as good a match):
                # a person it does not pay is told why, not given another program's amount
                chosen = hit if amounts else None
                if not amounts:
                    why_not, why_not_hit = refused, (hit if refused else None)
                break
        resting = chosen or why_not_hit
        if amounts and resting is not None and len(named_cards) == 1:
            # …resting, when the clause found computes several cards' amounts (one program for
            # the B卡 and the county card), on the clause the calculator cites for that card's
            own = _clause_cited(ix, amounts[0].citation)
            shared = len(_cards(resting.clause.computed)) > 1
            if own is not None and shared and own is not resting.clause:
                resting = Hit(own, resting.score)
        if resting is not None and resting.clause is not best:
            # the answer rests on the clause the amount (or the reason) comes from: cited first
            best = resting.clause
            order = [resting] + [h for h in hits if h.clause is not resting.clause]
            answer.citations = [_citation(h.clause) for h in order[:3]]
            source, quote, validity = _source(best, day)
        if amounts:
            reference = slotting.reference(slots, day)
            reference.degree = slots.degree
            answer.amounts = amounts
            answer.calculator_url = slotting.calculator_link(reference, day)
            lines = [f"按{day.isoformat()}施行的政策，经政策计算器测算："]
            for a in amounts:
                who = DEGREE_LABELS.get(a.degree or "", "")
                lines.append(f"{who}：{_amount_phrase(a)}；" if who else f"{_amount_phrase(a)}；")
            lines.append(f"测算按“{amounts[0].facts}”的情形，")
            lines.append("具体以本人条件和审核为准，可点“在计算器中修改”按实际情况测算。")
            if intent == "eligibility":
                summary = _summary(ix, best)
                if summary:
                    lines.append(f"条件：{summary}")
            answer.answer = "".join(lines) + f"{source}。{quote}{validity}"
            return answer
        if why_not and (slots.degree or intent == "amount"):
            reasons = "；".join(
                dict.fromkeys(str(r) for item in why_not for r in item.get("why_not", []))
            )
            answer.eligibility = [
                {"id": w["id"], "name": w["name"], "eligible": False, "because": w["why_not"]}
                for w in why_not
            ]
            person = slotting.reference(slots, day)
            person.degree = slots.degree or str(why_not[0].get("degree") or "doctorate")
            facts = slotting.describe(person, day)
            summary = _summary(ix, best)
            answer.calculator_url = slotting.calculator_link(person, day)
            answer.answer = (
                f"{source}：{summary}"
                + ("" if summary.endswith("。") else "。")
                + f"按{day.isoformat()}的政策，以“{facts}”测算，不能享受：{reasons}。"
                + f"{quote}{validity}"
            )
            return answer
        summary = _summary(ix, best)
        lines = [f"{source}：{summary}", *_terms(ix, best, text, intent, summary)]
        if intent == "eligibility":
            lines += _card_checks(ix, best, slots, day, answer)
        if intent == "amount" and not COUNT_ASKED.search(text):
            lines.append("该项金额以条款原文为准，本平台未按个人情况计算。")
        answer.answer = "".join(lines) + quote + validity
        return answer
    if intent == "process":
        steps = _process_lines(ix, best)
        if MATERIAL_WORDS.search(text):
            listed = {p: materials(p) for p in best.computed} if materials else {}
            found = {p: items for p, items in listed.items() if items}
            if found:
                steps = [
                    f"申请时需提交：{'、'.join(items)}（主管部门设定的材料清单）。"
                    for items in found.values()
                ] + steps
            else:
                steps.append("政策文件未载明申请材料，以主管部门公布的办事指南为准。")
        body = "".join(steps) if steps else _summary(ix, best)
        if steps and not any(c.startswith("card.") for c in best.computed):
            # a program's own terms (“满5年后方可交易”) come before its notes; a card's summary is
            # its scope, not the service asked about, and stays out
            body = _summary(ix, best).rstrip("。") + "。" + body
        tail = "" if steps else "政策文件未载明办理部门和时限的，以主管部门公布的办事指南为准。"
        office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
        answer.office = office
        answer.answer = (
            f"{source}：{body}{tail}{quote}{validity}如需办理，可咨询{office}。"
            + _per_city(ix, best, other_cities, day)
        )
        return answer
    checks = "".join(_card_checks(ix, best, slots, day, answer)) if intent == "eligibility" else ""
    summary = _summary(ix, best)
    terms = "".join(_terms(ix, best, text, intent, summary))
    answer.answer = f"{source}：{summary}{terms}{checks}{quote}{validity}" + _per_city(
        ix, best, other_cities, day
    )
    return answer


def _program_name(ix: ClauseIndex, clause: Clause) -> str:
    entries = _entries(ix, clause)
    name = entries[0].name if entries else (clause.grants[0] if clause.grants else "")
    return f"“{name}”" if name else "该项目"


def _count_stated(ix: ClauseIndex, clause: Clause, kind: str | None) -> bool:
    """Whether the clause or its programs state a count of the kind asked (people unless the
    question counts units, cards or flats): a selection's quota always counts."""
    entries = _entries(ix, clause)
    if any(e.quota for e in entries):
        return True
    stated = re.compile(_NUMBER + COUNT_UNITS[kind or "people"])
    texts = [clause.quote, *clause.grants] + [
        t for e in entries for t in (e.summary, *e.amounts, *e.conditions)
    ]
    return any(stated.search(t) for t in texts)


def _funding_citation(ix: ClauseIndex, entry: Entry) -> dict[str, Any]:
    """The clause saying who pays: the program's own, or the article of the same document that
    says it (a rule's 第二条), cited like every clause."""
    assert entry.funding is not None
    own = ix.entry_clause[entry.id]
    if entry.funding.clause == entry.clause and entry.funding.quote == entry.quote:
        return _citation(own)
    data = own.citation()
    if entry.funding.document:
        # (the rules implementing the program: that document's dates, none of its programs)
        document = ix.catalogue.documents[entry.funding.document]
        data["document"] = document.key
        data["document_title"] = document.title
        data["effective"] = document.date.isoformat() if document.date else None
        data["expires"] = document.valid_until.isoformat() if document.valid_until else None
        data["programs"] = []
    data["clause"] = entry.funding.clause
    data["quote"] = entry.funding.quote
    simplified = to_simplified(entry.funding.quote)
    if simplified != entry.funding.quote:
        data["quote_simplified"] = simplified
    return data


def _funding_answer(
    question: str, ix: ClauseIndex, hits: list[Hit], city: str | None, on: dt.date, slots: Slots
) -> Answer:
    """Who pays, in the text's own words, with the clause saying so; where the texts name no
    payer for the program found, the answer says so rather than guess."""
    top = max(h.score for h in hits)
    funded = [
        (h, e)
        for h in hits[:5]
        if h.score >= 0.7 * top
        for e in _entries(ix, h.clause)
        if e.funding is not None
    ]
    answer = Answer(
        question=question,
        answer="",
        intent="information",
        jurisdiction=city or hits[0].clause.jurisdiction,
        on=on.isoformat(),
        confidence=top,
        slots=slots.as_dict(),
    )
    if not funded:
        best = hits[0].clause
        source, quote, validity = _source(best, on)
        office = OFFICES.get(best.jurisdiction, ANY_OFFICE)
        answer.citations = [_citation(h.clause) for h in hits[:3]]
        answer.office = office
        answer.answer = (
            f"{source}：{_summary(ix, best).rstrip('。')}。"
            f"该条款未载明所需资金由谁承担（资金来源），以主管部门答复为准，可咨询{office}。"
            f"{quote}{validity}"
        )
        return answer
    hit = funded[0][0]
    entries = [e for h, e in funded if h is hit]
    lines = []
    cited = [_citation(hit.clause)]
    for entry in entries:
        assert entry.funding is not None
        # (said in another article of the document, or in the rules implementing it: named)
        elsewhere = clause_heading(entry.funding.clause)
        if entry.funding.document:
            elsewhere = f"《{entry.funding.document}》{elsewhere}"
        elif entry.funding.clause == entry.clause:
            elsewhere = ""
        lines.append(
            f"{entry.name}所需资金：{entry.funding.source}"
            + (f"（{elsewhere}规定）" if elsewhere else "")
            + f"，原文：“{to_simplified(entry.funding.quote)}”"
        )
        funding = _funding_citation(ix, entry)
        if (funding["clause"], funding["quote"]) not in {(c["clause"], c["quote"]) for c in cited}:
            cited.append(funding)
    source, quote, validity = _source(hit.clause, on)
    answer.citations = (cited + [_citation(h.clause) for h in hits if h is not hit])[:3]
    answer.answer = f"{source}：" + "；".join(dict.fromkeys(lines)) + validity
    return answer


def _per_city(ix: ClauseIndex, first: Clause, others: list[Hit], on: dt.date) -> str:
    """What the other cities' texts say, when the question names no city (decision 0305)."""
    if not others:
        return ""
    lines = [f"（问题未指明城市，以上为{_city(first.jurisdiction)}的规定。）"]
    for hit in others:
        source, quote, validity = _source(hit.clause, on)
        summary = _summary(ix, hit.clause).rstrip("。")
        lines.append(
            f"{_city(hit.clause.jurisdiction)}另有规定——{source}：{summary}。{quote}{validity}"
        )
    return "".join(lines)
