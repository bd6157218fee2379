"""The catalogue's notes as a citizen reads them in an answer.

The catalogue's summaries are written for the offices: they say what the calculator does, what an
administrator still has to set (“金额待管理员录入”) and point to other entries (“见“…””). A citizen
is told instead what the pages tell them about a value the texts leave open — that the office
decides it (“待主管部门明确”) and whom to ask — and is pointed to a program by its name, as
something they can ask about next.
"""

from __future__ import annotations

import re

# a note in brackets about what the calculator does (“（计算器按单位查询计算）”): not the citizen's
_CALCULATOR_ASIDE = re.compile(r"[（(]计算器(?:[^（）()]|[（(][^（）()]*[）)])*[）)]")
# …the same note inside a bracket of the policy's own (“（由人社部门核定，计算器按基本标准计算）”)
_CALCULATOR_TAIL = re.compile(r"[，,；]计算器[^（）()，。；]*(?=[）)])")
# …and as a clause of a sentence (“计算器按新就业职工（青年人）的准入条件计算；”)
_CALCULATOR_CLAUSE = re.compile(r"计算器按[^；。]*?计算[；，,]")
# a value the administrator has yet to set, worded as the pages word it
_LEFT_TO_OFFICE = [
    (re.compile(r"未计算[（(]见“([^”]+)”[）)]"), r"由主管部门审核认定（可另问“\1”）"),
    (re.compile(r"[，,；]?以何者为准由(?:系统)?管理员裁定"), "，以何者为准待主管部门明确"),
    (re.compile(r"以市人才工作主管部门裁定为准"), "以何者为准待主管部门明确"),
    (re.compile(r"计算器提示待管理员设定"), "待主管部门明确"),
    (re.compile(r"金额待管理员录入"), "具体金额待主管部门明确，请向{office}咨询"),
    (
        re.compile(r"(?:须|需)由(?:系统)?管理员(?:依据当地文件设定|按[^，。；]*录入|录入)"),
        "待主管部门明确",
    ),
    (re.compile(r"待(?:系统)?管理员设定"), "待主管部门明确"),
    (re.compile(r"(?:系统)?管理员"), "主管部门"),
]
# another program of the catalogue, named as one the citizen can ask about
_SEE_BRACKETED = re.compile(r"[（(]见“([^”]+)”[）)]")
_SEE = re.compile(r"(?<![详可另])见“([^”]+)”")
# the project's own numbering of the texts it holds (“003原文”, “004汇编”)
_TEXT_NUMBER = re.compile(r"(?<![\d〔])00\d(?=原文|汇编)")


def for_citizens(text: str, office: str) -> str:
    """``text`` (a catalogue note) in the words a citizen reads; ``office``: whom to ask."""
    text = _CALCULATOR_ASIDE.sub("", text)
    text = _CALCULATOR_TAIL.sub("", text)
    text = _CALCULATOR_CLAUSE.sub("", text)
    for pattern, words in _LEFT_TO_OFFICE:
        text = pattern.sub(words.replace("{office}", office), text)
    text = _SEE_BRACKETED.sub(r"（另有“\1”一项，可单独询问）", text)
    text = _SEE.sub(r"另有“\1”一项，可单独询问", text)
    text = _TEXT_NUMBER.sub("", text)
    text = text.replace("汇编所收", "政策汇编所收")
    return text
