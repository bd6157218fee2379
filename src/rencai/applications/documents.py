"""Printable documents of a case (PDF, the CJK font embedded): the reviewer's case summary
(审核摘要) and the decision notice (决定通知书) the applicant downloads once the case is decided.

Both cite the policy by its 文号 and clause (第N条), show the identity number masked and every
date and time at the office (Asia/Shanghai). Who may print which is decided here, once, for the
API and the pages alike (decision 0220)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from opencc import OpenCC
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock, printing
from rencai.applications.errors import ApplicationError
from rencai.applications.journal import ACTION_LABELS, LEVEL_LABELS
from rencai.applications.materials import materials_of
from rencai.applications.models import STATUS_LABELS, Action, Application, Status
from rencai.applications.programs import STEP_LABELS
from rencai.applications.service import REVIEWERS, history, is_applicant
from rencai.applications.steps import current_step, steps_of
from rencai.formats import cn_date
from rencai.policy.cities import names
from rencai.policy.contract.display import describe
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import mask_id_number, mask_id_number_for_review
from rencai.registry.models import Account, Employer, TalentProfile

DECIDED = (Status.approved.value, Status.rejected.value)
PRECHECK_LABELS = {
    "eligible": "符合条件",
    "not_eligible": "不符合条件",
    "needs_information": "需补充信息",
}
INK = (30, 30, 30)
GREY = (110, 110, 110)


def may_print_summary(account: Account) -> bool:
    """The case summary is the reviewers' working paper (and the administrator's)."""
    return account.role in REVIEWERS


def may_get_notice(session: Session, account: Account, application: Application) -> bool:
    """The decision notice is the applicant's; the reviewers who see the case print it too."""
    return account.role in REVIEWERS or is_applicant(session, account, application)


def documents(session: Session, account: Account, application: Application) -> list[dict[str, str]]:
    """The printable documents this account may take from the case page (links)."""
    found = []
    if may_print_summary(account):
        found.append(
            {"label": "打印审核摘要（PDF）", "href": f"/applications/{application.id}/summary.pdf"}
        )
    if application.status in DECIDED and may_get_notice(session, account, application):
        found.append(
            {"label": "下载决定通知书（PDF）", "href": f"/applications/{application.id}/notice.pdf"}
        )
    return found


def clause_label(clause: str) -> str:
    """'4' → '第4条'; a clause the document names otherwise ('申领范围（1）') stays as written."""
    clause = clause.strip()
    return f"第{clause}条" if clause.isdigit() else clause


@cache
def _simplified() -> OpenCC:
    return OpenCC("t2s")


def readable_quote(quote: str) -> str:
    """A quote as printed: in Simplified characters with full-width punctuation (some policy
    texts reach the platform as reported in Traditional characters with half-width commas);
    the verbatim original stays in the catalogue."""
    text = _simplified().convert(quote.strip())
    for half, full in ((",", "，"), (";", "；"), (":", "："), ("(", "（"), (")", "）")):
        text = text.replace(half, full)
    return text


def citation_text(citation: dict[str, Any] | None) -> str:
    """'石字〔2021〕7号 第4条：“…”' — the document by its 文号, the clause, the quote."""
    if not citation or not citation.get("document"):
        return ""
    head = f"{citation['document']} {clause_label(str(citation.get('clause') or ''))}".strip()
    quote = readable_quote(str(citation.get("quote") or ""))
    return f"{head}：“{quote}”" if quote else head


def _font() -> Path:
    found = printing.cjk_font()
    if found is None:
        raise ApplicationError("font", printing.NO_FONT, "no_font")
    return found


class _Paper(FPDF):
    caption = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("cjk", size=8)
        self.set_text_color(*GREY)
        self.cell(0, 6, f"{self.caption}　第 {self.page_no()} 页 共 {{nb}} 页", align="C")


def _paper(caption: str) -> _Paper:
    doc = _Paper(orientation="P", unit="mm", format="A4")
    doc.add_font("cjk", fname=str(_font()))
    doc.caption = caption
    doc.set_margins(20, 18, 20)
    doc.set_auto_page_break(True, margin=18)
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_text_color(*INK)
    return doc


def _heading(doc: FPDF, text: str) -> None:
    doc.ln(3)
    doc.set_font("cjk", size=12)
    doc.set_fill_color(232, 238, 242)
    doc.cell(0, 8, text, fill=True, new_x="LMARGIN", new_y="NEXT")
    doc.ln(1)


def _rows(doc: FPDF, rows: list[tuple[str, str]], label_width: float = 34) -> None:
    doc.set_font("cjk", size=10)
    for label, value in rows:
        doc.set_text_color(*GREY)
        doc.cell(label_width, 6.5, label)
        doc.set_text_color(*INK)
        doc.multi_cell(0, 6.5, value or "—", new_x="LMARGIN", new_y="NEXT")


def _paragraph(doc: FPDF, text: str, size: float = 11, indent: bool = True) -> None:
    doc.set_font("cjk", size=size)
    doc.multi_cell(0, 7.5, ("　　" if indent else "") + text, new_x="LMARGIN", new_y="NEXT")


def _county(code: str | None) -> str:
    if not code:
        return ""
    county = vocabulary().counties.get(code)
    return county.name if county else code


def _parties(session: Session, application: Application) -> tuple[TalentProfile, Employer | None]:
    talent = session.get(TalentProfile, application.talent_id)
    assert talent is not None
    employer = session.get(Employer, application.employer_id) if application.employer_id else None
    return talent, employer


def case_summary_pdf(session: Session, application: Application) -> bytes:
    """The reviewer's printable summary: applicant, employer, pre-check with its citation, the
    profile as submitted, materials and the history."""
    talent, employer = _parties(session, application)
    doc = _paper(f"申请编号 {application.id} 审核摘要")
    doc.set_font("cjk", size=17)
    doc.cell(0, 11, "人才政策申请审核摘要", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=9)
    doc.set_text_color(*GREY)
    printed = clock.display(clock.now())
    doc.cell(
        0, 6, f"申请编号：{application.id}　打印时间：{printed}", align="C",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    doc.set_text_color(*INK)
    step = current_step(application)
    due = ""
    if application.due_date is not None and application.status not in DECIDED:
        due = cn_date(application.due_date) + ("（暂定）" if application.due_provisional else "")
        if application.due_date < clock.today():
            due += "，已超期"
    confirmation = {
        "pending": "待单位确认",
        "confirmed": "单位已确认在职",
        "denied": "单位不予确认",
    }
    _heading(doc, "申请信息")
    _rows(
        doc,
        [
            ("申请项目", application.program_name),
            ("申请人", talent.name),
            ("身份证号", mask_id_number_for_review(talent.id_number)),
            ("工作单位", employer.name if employer else "未关联单位"),
            ("在职确认", confirmation.get(application.employer_confirmation or "", "无需单位确认")),
            (
                "所属地区",
                f"{names().get(application.jurisdiction, '')}{_county(application.county)}",
            ),
            ("提交时间", clock.display(application.submitted_at)),
            ("审核流程", "→".join(STEP_LABELS.get(s, s) for s in steps_of(application))),
            ("当前状态", STATUS_LABELS[Status(application.status)]),
            ("当前环节", STEP_LABELS.get(step or "", "—") if step else "—"),
            ("办理期限", due or "—"),
        ],
    )
    check = json.loads(application.precheck)
    _heading(doc, "系统预审")
    _rows(doc, [("预审结论", PRECHECK_LABELS.get(check.get("state", ""), "无法预审"))])
    for reason in check.get("reasons") or []:
        _rows(doc, [("", f"· {reason}")])
    cited = citation_text(check.get("citation"))
    if cited:
        _rows(doc, [("政策依据", cited)])
    for section in describe(json.loads(application.profile_snapshot)):
        _heading(doc, f"申请人档案：{section['title']}")
        _rows(doc, [(label, str(value)) for label, value in section["rows"]])
    _heading(doc, "申请材料")
    files = materials_of(session, application)
    _rows(doc, [(f"材料{n}", m.filename) for n, m in enumerate(files, 1)] or [("", "尚未上传材料")])
    _heading(doc, "办理记录")
    _rows(
        doc,
        [
            (
                clock.display(a.at),
                f"{LEVEL_LABELS.get(a.level, a.level)}　{ACTION_LABELS.get(a.action, a.action)}"
                + (f"：{a.reason}" if a.reason else ""),
            )
            for a in history(session, application)
        ],
        label_width=36,
    )
    return bytes(doc.output())


def _decider(session: Session, application: Application) -> tuple[str, Action | None]:
    """Who decided (the office's name as its account is named) and the deciding action."""
    last = session.scalar(
        select(Action)
        .where(
            Action.application_id == application.id,
            Action.action.in_(("approve", "reject", "auto_approve", "final", "uphold")),
        )
        .order_by(Action.id.desc())
        .limit(1)
    )
    city = names().get(application.jurisdiction, "")
    if last is None or last.actor_id is None:
        return f"{city}人才一体化综合管理服务平台", last
    account = session.get(Account, last.actor_id)
    office = account.display_name if account is not None else ""
    if last.level in STEP_LABELS and not office:
        office = STEP_LABELS[last.level]
    return office, last


def decision_notice_pdf(session: Session, application: Application) -> bytes:
    """The decision notice of a decided case (approved or not), for its applicant."""
    if application.status not in DECIDED:
        raise ApplicationError("status", "该申请尚未作出审核决定，暂无决定通知书", "bad_state")
    talent, _ = _parties(session, application)
    office, action = _decider(session, application)
    decided = application.decided_at or (action.at if action is not None else None)
    approved = application.status == Status.approved.value
    check = json.loads(application.precheck)
    doc = _paper(f"申请编号 {application.id} 决定通知书")
    doc.ln(6)
    doc.set_font("cjk", size=20)
    title = "审核决定通知书" if approved else "不予批准决定通知书"
    doc.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    doc.set_text_color(*GREY)
    doc.cell(0, 7, f"申请编号：{application.id}", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(*INK)
    doc.ln(6)
    _paragraph(
        doc, f"{talent.name}（身份证号：{mask_id_number(talent.id_number)}）：", indent=False
    )
    # the steps that decided it, in order (a case refused at the county went no further)
    levels: list[str] = []
    for step in history(session, application):
        if step.action in ("approve", "reject", "uphold") and step.level not in levels:
            levels.append(step.level)
    steps = "、".join(STEP_LABELS.get(s, s) for s in levels or steps_of(application))
    submitted = cn_date(clock.office_date(application.submitted_at))
    how = "经系统自动审核（秒批）" if application.automatic else f"经{steps}审核"
    if application.notice_rule and approved:
        how += "并经公示无异议"
    cited = check.get("citation")
    basis = ""
    if cited and cited.get("document"):
        basis = f"{cited['document']}{clause_label(str(cited.get('clause') or ''))}"
    if approved:
        outcome = (
            "符合" + (f"{basis}规定的条件" if basis else "政策规定的条件") + "，决定予以批准。"
        )
    else:
        reason = action.reason if action is not None and action.reason else ""
        outcome = "决定不予批准。" + (f"理由：{reason.rstrip('。')}。" if reason else "")
    _paragraph(doc, f"你于{submitted}提交的“{application.program_name}”申请，{how}，{outcome}")
    if approved:
        _paragraph(
            doc,
            "涉及资金的，按政策规定的标准和期限发放；发放情况、电子人才绿卡等可登录平台"
            "在“我的”中查看。",
        )
    quote = citation_text(cited)
    if quote:
        doc.ln(2)
        _heading(doc, "政策依据")
        _paragraph(doc, quote, size=10, indent=False)
    doc.ln(14)
    doc.set_font("cjk", size=12)
    doc.cell(0, 8, office, align="R", new_x="LMARGIN", new_y="NEXT")
    doc.cell(
        0, 8, cn_date(clock.office_date(decided)) if decided else "", align="R",
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    return bytes(doc.output())
