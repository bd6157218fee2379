"""Whether a question is one the library may answer: other places and off-topic subjects (refused
before any search), the words that mark a talent-policy question, the scores below which no clause
is trusted (decision 0150), and the words a city's texts must mention for a subject asked of it."""

from __future__ import annotations

import re
from collections.abc import Callable

from rencai.assistant.subjects import CARD_WORDS

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

# words that name something the library covers (a question without any is not about it)
DOMAIN_HINT = re.compile(
    r"人才|补贴|补助|奖励|资助|绿卡|卡|博士|硕士|本科|学士|毕业生|落户|户籍|安家|租房|房租|购房|住房|公寓|"
    r"创业|技能|工匠|技师|职称|驿站|院士|专家|引进|留|政策|津贴|经费|贴息|贷款|子女|配偶|入学|社保|"
    r"社会保险|就业|招聘|培训|竞赛|大赛|专利|团队|领军|企业|单位|申领|申请|办理|公示|审核|材料|"
    r"保障性租赁|保租房|青年|学徒|认定|服务|双一流|博士后|县|区"
)

MIN_SCORE = 8.5  # BM25 score below which no clause is trusted (decision 0150)
MIN_SCORE_CITY = 7.5  # the same when the question names one of the three cities (or its words)
MIN_SCORE_UNHINTED = 10.0  # the same for a question without any of the library's usual words
MIN_COVERAGE = 0.25  # share of the question's content words the library knows


def shown_words(missing: list[str]) -> str:
    """The words a refusal names: the cards as the texts write them (A卡、B卡), else the longest."""
    cards = [w.upper() for w in missing if w in CARD_WORDS]
    return "、".join(cards) if cards else max(missing, key=len)


def mentioned(word: str, text: str) -> bool:
    """Whether a city's text mentions the word, also with a word between its halves (租房补贴 in
    “租房购房补贴”)."""
    if word in text:
        return True
    if len(word) < 4:
        return False
    half = len(word) // 2
    return re.search(re.escape(word[:half]) + r"\w{1,4}" + re.escape(word[half:]), text) is not None


# What the texts never regulate, asked in the words of a benefit or a card (decision 0374):
# - the tax owed on a benefit (“人才补贴要交个税吗”): the texts set benefits, not their taxation
BENEFIT_TAX = re.compile(
    r"(?:补贴|补助|奖励|奖金|津贴|安家费|房补|资助)[^，。]{0,6}(?:交|缴|扣|纳|免)[^，。]{0,3}"
    r"(?:个税|个人所得税|税)"
)
# - a lost card or certificate replaced (“绿卡丢了怎么补办”), where no text of the city names it
LOST_CARD = re.compile(
    r"(?:卡|证书)[^，。]{0,4}(?:丢了|丢失|遗失|掉了|补办|挂失)|(?:补办|挂失)[^，。]{0,4}(?:卡|证书)"
)
LOST_WORDS = re.compile(r"补办|挂失|遗失|丢失")
# - a kind of money named by its purpose (“买车补贴”, “年薪补贴”), a word of the question that no
#   text of the city uses at all; the subjects of ``subjects.TOPIC_WORDS`` (买房 for 购房) are
#   read there
MONEY_NAMED = re.compile(r"(?P<kind>[\u4e00-\u9fff]{2})(?:补贴|补助|津贴)")
NOT_A_KIND = re.compile(
    r"博士|硕士|本科|学士|研究|人才|专家|院士|技师|学生|学子|毕业|青年|职工|员工|个人|企业|单位|"
    r"每月|每年|一次|多少|什么|哪些|啥|几|的|有|个|给|发|领|拿|享|申|能|可|这|那|还|关于|相关|"
    r"请问|卡|市|县|区|省|政府|财政|国家"
)


def unnamed_money(
    text: str, here: str, words: set[str], expand: Callable[[str], str]
) -> str | None:
    """The kind of money the question names (“买车补贴”) when it is one of the question's words
    (``words``) and no text of the city (``here``, all three cities' when none is named) uses it
    or the texts' words for it (``expand``)."""
    for found in MONEY_NAMED.finditer(text):
        kind = found.group("kind")
        if kind not in words or NOT_A_KIND.search(kind):
            continue
        if not any(w in here for w in expand(kind).split()):
            return found.group(0)
    return None
