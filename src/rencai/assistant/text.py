"""Text handling for the assistant: normalisation, synonyms and Chinese segmentation.

Questions arrive in Simplified or Traditional characters, with full-width digits, abbreviations
(绿卡, 县卡, 安家费, 硕博) and typos. Everything is normalised to Simplified characters
(OpenCC's t2s table), abbreviations are expanded to the words the policy texts use, and the
result is segmented with jieba plus a domain dictionary generated from the library (program
names, 文号, card names, county names).

jieba is used through a private ``Tokenizer`` whose cache lives in the system's temporary
directory (never beside the installed package, which may be read-only) and whose logger is
silenced, so importing or initialising it writes nothing to stdout or stderr.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache

import jieba
from opencc import OpenCC

# Abbreviations and colloquial words → the words of the policy texts (appended, never replacing
# the original, so a question that uses the texts' own word still matches it).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "绿卡": ("人才绿卡",),
    "县卡": ("县（市、区）人才绿卡", "县级人才绿卡", "县"),
    "a卡": ("A卡", "人才绿卡A卡", "高层次人才"),
    "b卡": ("B卡", "人才绿卡B卡"),
    "c卡": ("C卡",),
    "副卡": ("人才绿卡副卡", "家属"),
    "安家费": ("安家补贴", "一次性安家补贴"),
    "安家补助": ("安家补贴",),
    "安家钱": ("安家补贴",),
    "租房补贴": ("房租补助", "房租补贴", "租赁补贴"),
    "房补": ("房租补助", "房租补贴"),
    "租房": ("房租", "租赁"),
    "房租补贴": ("房租补助",),
    "买房": ("购房",),
    "购房补助": ("购房补贴",),
    "买房补贴": ("购房补贴",),
    "硕博": ("硕士", "博士"),
    "博士生": ("博士",),
    "博士研究生": ("博士",),
    "硕士生": ("硕士",),
    "研究生": ("硕士", "博士"),
    "研究僧": ("硕士", "研究生"),
    "本科生": ("本科", "学士"),
    "本科": ("学士",),
    "大学生": ("高校毕业生",),
    "毕业生": ("高校毕业生",),
    "应届生": ("应届", "高校毕业生"),
    "双一流": ("“双一流”", "一流大学", "一流学科"),
    "985": ("“双一流”", "一流大学"),
    "211": ("“双一流”",),
    "博后": ("博士后",),
    "八折": ("8折",),
    "技师证": ("技师", "职业技能等级"),
    "打工": ("务工", "外来务工人员"),
    "院士": ("两院院士", "中国科学院院士", "中国工程院院士"),
    "落户": ("户籍", "户口", "迁入"),
    "上户口": ("户籍", "户口"),
    "户口": ("户籍",),
    "孩子": ("子女",),
    "小孩": ("子女",),
    "上学": ("入学",),
    "老婆": ("配偶",),
    "老公": ("配偶",),
    "媳妇": ("配偶",),
    "爱人": ("配偶",),
    "家属": ("配偶", "子女", "父母"),
    "爸妈": ("父母",),
    "体检": ("健康体检", "医疗保健"),
    "创业": ("自主创业", "创业扶持"),
    "贷款": ("贷款贴息", "创业担保贷款"),
    "社保": ("社会保险", "养老保险"),
    "五险": ("社会保险",),
    "钱": ("补贴", "资金"),
    "多少钱": ("补贴", "标准"),
    "补助": ("补贴",),
    "奖金": ("奖励",),
    "技能大赛": ("技能竞赛", "职业技能大赛"),
    "世赛": ("世界技能大赛",),
    "国赛": ("全国技能大赛",),
    "工匠": ("石家庄工匠",),
    "技师": ("高级技师", "技能人才"),
    "职称": ("专业技术职称",),
    "驿站": ("青年人才驿站",),
    "保租房": ("保障性租赁住房",),
    "公租房": ("公共租赁住房", "保障性租赁住房"),
    "人才公寓": ("人才公寓", "住房保障"),
    "狮城": ("狮城英才卡",),
    "锦绣卡": ("锦绣英才卡", "锦绣学子卡"),
    "生活费": ("生活补贴",),
    "住房补贴": ("居住补贴", "房租补助", "购房补贴"),
    # household sizes as people say them → the rental-housing subsidy's bands
    "两口子": ("1—2人家庭",),
    "夫妻俩": ("1—2人家庭",),
    "两个人": ("1—2人家庭",),
    "一家三口": ("3人及以上家庭",),
    "三口之家": ("3人及以上家庭",),
    "一家人": ("家庭",),
    "限购": ("住房限购",),
    "证书": ("职业资格证书", "职业技能等级证书"),
    "考证": ("职业资格证书", "职业技能等级证书", "技能提升补贴"),
    "资格证": ("职业资格证书", "技能提升补贴"),
    "退钱": ("追回", "退回", "返还"),
    "造假": ("弄虚作假",),
    "谁发": ("颁发",),
    "自己评": ("自主评价", "职业技能等级认定"),
    "评技能等级": ("职业技能等级认定",),
    "退回": ("追回", "返还"),
    "停发": ("停止发放",),
    "公示": ("公示期",),
    "材料": ("申报材料", "提交"),
    "带啥": ("材料",),
    "几天": ("工作日", "办结"),
    "多久": ("工作日", "办结", "期限"),
    # how long a benefit lasts is the texts' 期限 (补贴期限, 管理期, 资助期)
    "多长时间": ("期限",),
    # the texts number the classes of new drugs in Roman numerals (“I 类新药”, “II 类新药”)
    "一类新药": ("i 类新药", "i类"),
    "1类新药": ("i 类新药", "i类"),
    "二类新药": ("ii 类新药", "ii类"),
    "2类新药": ("ii 类新药", "ii类"),
    "个税": ("个人所得税", "应纳税工资薪金收入"),
    "签证": ("出入境",),
    "可以买": ("购买",),
    "能买": ("购买",),
    # a title's term is its 管理期 (“石家庄工匠”管理期为2年)
    "称号有效期": ("管理期",),
    "多少年": ("期限",),
    "找谁": ("部门", "受理"),
    "去哪": ("部门", "受理"),
    "哪里办": ("部门", "受理", "办理"),
    "培训补贴": ("职业技能培训补贴",),
    "技能补贴": ("技能提升补贴",),
    "博士后": ("博士后研究人员", "博士后科研工作站"),
    "学徒": ("新型学徒制",),
    "配偶工作": ("配偶就业",),
    "待遇": ("政策", "补贴", "服务", "支持"),
    "飞机": ("机场",),
    "坐飞机": ("机场", "贵宾"),
    "看病": ("医疗", "就医", "医疗保健"),
    # the texts' words for what people say otherwise
    "劳模": ("劳动模范",),
    "读书": ("就读", "入学"),
    "念书": ("就读", "入学"),
    "研究所": ("科研院所",),
    "研究院": ("科研院所",),
    "分所": ("分支机构",),
    "分院": ("分支机构",),
    # how often something is done (“多久评一次”, “几年评一回”): the texts write 每…年…1次
    "评一次": ("每", "次", "开展"),
    "评一回": ("每", "次", "开展", "一次"),
    "多久一次": ("每", "次", "开展"),
    "几年一次": ("每", "次", "开展"),
}

# Simplified typos seen in real questions → the intended word
TYPOS: dict[str, str] = {
    "补帖": "补贴",
    "补占": "补贴",
    "租防": "租房",
    "博土": "博士",
    "硕土": "硕士",
    "石家装": "石家庄",
    "石家桩": "石家庄",
    "锦洲": "锦州",
    "沧洲": "沧州",
    "人材": "人才",
    "录卡": "绿卡",
    "申情": "申请",
    "安家废": "安家费",
    "正定线": "正定县",
    "平山线": "平山县",
    "公式期": "公示期",
    "购方": "购房",
    # the county card as people name it
    "县级人才绿卡": "县卡",
    "县里的人才绿卡": "县卡",
    "县里人才绿卡": "县卡",
    "县级绿卡": "县卡",
    # amounts said in words (“最高一个亿”)
    "一个亿": "1亿",
}

# Words that carry no retrieval signal in a question
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "呀",
        "吧",
        "么",
        "嘛",
        "哦",
        "哈",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "有",
        "我",
        "你",
        "他",
        "她",
        "们",
        "我们",
        "请问",
        "请",
        "问",
        "一下",
        "下",
        "想",
        "要",
        "能",
        "能不能",
        "可以",
        "可不可以",
        "什么",
        "怎么",
        "怎么样",
        "怎样",
        "如何",
        "多少",
        "几",
        "个",
        "这个",
        "那个",
        "这",
        "那",
        "就",
        "都",
        "也",
        "还",
        "给",
        "对",
        "从",
        "到",
        "把",
        "被",
        "让",
        "又",
        "再",
        "啥",
        "咋",
        "么样",
        "是不是",
        "有没有",
        "没有",
        "不",
        "吗",
        "？",
        "?",
        "，",
        ",",
        "。",
        ".",
        "！",
        "!",
        "、",
        "：",
        ":",
        "；",
        ";",
        "“",
        "”",
        '"',
        "'",
        "（",
        "）",
        "(",
        ")",
        "《",
        "》",
        "的话",
        "一个",
        "现在",
        "知道",
        "告诉",
        "问问",
        "麻烦",
        "谢谢",
        "您好",
        "你好",
        "哪些",
        "哪个",
        "多",
        "少",
        "大",
        "上",
        "中",
        "里",
        "时候",
        "之",
    ]
)

_CONVERTER_LOCK = threading.Lock()
_TOKENIZER_LOCK = threading.Lock()


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    with _CONVERTER_LOCK:
        return str(_converter().convert(text))


_SPACES = re.compile(r"\s+")


# 文号 as people type them (石办字2017 39号, 石办字[2017]39号) → 石办字〔2017〕39号
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,6}[字发函规])\s*[〔\[(（【]?\s*((?:19|20)\d{2})\s*[〕\])）】]?\s*(?:年\s*)?(?:第\s*)?(\d{1,3})\s*号"
)


# an amount said without its unit (“200万”, “1亿”) → as the texts write it (“200万元”), not a
# count (“18万人次”, “5万余”)
_BARE_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)(?![元人户家名个张套次余多平千吨株亩字件])")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII), Traditional → Simplified, lower case, typos
    corrected, amounts given their unit, spaces squeezed."""
    text = unicodedata.normalize("NFKC", text)
    # NFKC turns the texts' full-width brackets into ASCII; keep the texts' own forms for 文号
    text = text.replace("[", "〔").replace("]", "〕")
    text = to_simplified(text)
    text = _DOC_NUMBER.sub(lambda m: f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号", text).lower()
    for wrong, right in TYPOS.items():
        text = text.replace(wrong, right)
    text = _BARE_AMOUNT.sub(lambda m: f"{m.group(1)}{m.group(2)}元", text)
    return _SPACES.sub(" ", text).strip()


def expand(text: str) -> str:
    """The normalised text followed by the texts' words for the abbreviations it uses."""
    extra = [" ".join(words) for key, words in SYNONYMS.items() if key in text]
    return (text + (" " + " ".join(extra) if extra else "")).lower()


@cache
def _tokenizer_instance() -> jieba.Tokenizer:
    logging.getLogger("jieba").setLevel(logging.CRITICAL + 1)
    jieba.default_logger.setLevel(logging.CRITICAL + 1)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    tokenizer.cache_file = "rencai-assistant-jieba.cache"
    return tokenizer


def tokenizer(words: Iterable[str] = ()) -> jieba.Tokenizer:
    """The process's jieba tokenizer with ``words`` added to its dictionary."""
    with _TOKENIZER_LOCK:
        found = _tokenizer_instance()
        for word in words:
            word = word.strip().lower()
            if len(word) >= 2:
                found.add_word(word, freq=200_000)
        return found


_DOC_KEY = re.compile(r"[\u4e00-\u9fff]{1,6}[字发函规]〔\d{4}〕\d{1,3}号")
_KEEP = re.compile(r"[\w〔〕%]")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


def segment(text: str, tok: jieba.Tokenizer) -> list[str]:
    """Search-mode segmentation of already normalised text, stopwords and punctuation removed,
    plus the character bigrams of each Chinese run (robust to typos and unknown compounds)."""
    tokens = [
        t
        for t in tok.lcut_for_search(text, HMM=False)
        if t.strip() and t not in STOPWORDS and _KEEP.search(t)
    ]
    tokens += ["§" + m.group(0) for m in _DOC_KEY.finditer(text)]
    for run in _CJK.findall(text):
        tokens += ["#" + run[i : i + 2] for i in range(len(run) - 1)]
    return tokens
