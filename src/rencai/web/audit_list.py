"""The audit log as the administrator reads it: the hash-chained entries (rencai.audit.log)
through the shared list parameters (rencai.web.lists) — search by who, what and on what, a
business area, a date range in office days — for /admin/audit, GET /api/v1/audit and the export.

Entries are stored with internal codes; the list shows them in Chinese (an area, an action, the
kind of record acted on and its number)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from rencai import clock
from rencai.applications.programs import program_names
from rencai.audit.log import AuditEntry
from rencai.web import lists
from rencai.web.lists import Choice, Column, ListQuery

SORTS = {"at": "时间", "actor": "操作人"}
AREAS = {
    "account": "账户",
    "talent": "人才注册",
    "employer": "用人单位",
    "application": "申请审核",
    "material": "申请材料",
    "review_program": "审批设置",
    "required_materials": "审批设置（材料）",
    "card": "人才绿卡",
    "feeds": "部门数据",
    "ledger": "资金发放",
    "housing": "人才住房",
}
ACTIONS = {
    "account.create": "开设账户",
    "account.staff_create": "开设工作人员账户",
    "account.staff_update": "变更工作人员账户",
    "account.password_change": "修改密码",
    "account.password_reset": "重置密码",
    "account.unlock": "解除登录限制",
    "talent.register": "人才注册",
    "employer.register": "用人单位注册",
    "employer.verify": "核验用人单位",
    "employer.verify_refused": "用人单位核验未通过",
    "application.bulk_approve": "批量审核通过",
    "material.view": "查看申请材料",
    "material.download": "下载申请材料",
    "review_program.configure": "设置审批流程",
    "review_program.load_seeded": "载入政策规定的审批流程",
    "required_materials.set": "设置必交材料",
    "card.photo": "上传持卡人照片",
    "card.photo_viewed": "查看持卡人照片",
    "card.validity_set": "设定有效期",
    "card.point_registered": "登记服务网点",
    "feeds.dispute": "对部门数据提出异议",
    "feeds.export_store": "生成政策找人数据",
    "ledger.run.start": "执行月度发放",
    "ledger.run.cancel": "取消发放运行",
    "ledger.batch.create": "生成发放批次",
    "ledger.bank_file": "生成银行文件",
    "ledger.confirmations": "导入银行回单",
    "ledger.payee": "登记收款账户",
    "ledger.employer.confirm": "确认新用人单位",
    "ledger.fraud": "登记骗取资金",
    "ledger.setting": "设定资金参数",
    "ledger.card_revoked": "注销卡后停发",
    "ledger.program_stopped": "停止发放",
    "ledger.schedule.create": "生成发放计划",
    "ledger.batch.approve": "审核通过发放批次",
    "ledger.batch.reject": "退回发放批次",
    "ledger.repayment": "登记还款",
    "ledger.write_off": "核销应收款",
    "housing.apply": "申请人才住房",
    "housing.building": "登记住房楼栋",
    "housing.unit": "登记房源",
}
KINDS = {
    "account": "账户",
    "talent": "人才",
    "employer": "用人单位",
    "application": "申请",
    "material": "材料",
    "program": "事项",
    "jurisdiction": "地区",
    "card": "卡",
    "tier": "卡别",
    "point": "服务网点",
    "feed_load": "数据批次",
    "feed_dispute": "数据异议",
    "screening_store": "政策找人数据",
    "batch": "批次",
    "schedule": "发放计划",
    "receivable": "应收款",
    "run": "发放运行",
    "id": "身份证号前六位",
    "housing_building": "住房楼栋",
    "housing_unit": "房源",
    "housing_application": "住房申请",
    "housing_batch": "住房批次",
    "housing_contract": "住房合同",
}


def filters() -> dict[str, Choice]:
    return {"area": Choice("业务类别", AREAS)}


def parse(params: Mapping[str, str]) -> ListQuery:
    """The list parameters and the date range (``from``, ``to``: office days, both included);
    newest entries first unless a sort is asked for."""
    return lists.parse_dated(params, SORTS, filters(), default="-at")


def statement(query: ListQuery) -> Any:
    entries = select(AuditEntry)
    if area := query.filters.get("area"):
        entries = entries.where(
            or_(AuditEntry.action == area, AuditEntry.action.like(lists.escape_like(area) + ".%"))
        )
    entries = lists.within_dates(entries, AuditEntry.at, query)
    if q := query.q:
        like = f"%{lists.escape_like(q)}%"
        options: list[ColumnElement[bool]] = [
            AuditEntry.actor.like(like, escape="\\"),
            AuditEntry.action.like(like, escape="\\"),
            AuditEntry.subject.like(like, escape="\\"),
        ]
        # a Chinese action or record kind finds its codes
        options += [AuditEntry.action == code for code, label in ACTIONS.items() if q in label]
        for code, label in KINDS.items():
            if label.startswith(q) or q.startswith(label):
                number = q.removeprefix(label).strip()
                options.append(AuditEntry.subject.like(f"{code}:{lists.escape_like(number)}%"))
        entries = entries.where(or_(*options))
    order = lists.ordering(query, {"at": AuditEntry.seq, "actor": AuditEntry.actor})
    return entries.order_by(order, AuditEntry.seq.desc())


def _who(actor: str) -> str:
    if actor == "system":
        return "系统"
    kind, _, rest = actor.partition(":")
    return f"{KINDS[kind]}{rest}" if rest and kind in KINDS else actor


def _what(action: str) -> tuple[str, str]:
    area = action.split(".", 1)[0]
    label = ACTIONS.get(action)
    if label is None and area == "application":
        label = "办理申请"
    if label is None and area == "feeds":
        label = "载入部门数据"
    area_label = AREAS.get(area, "其他")
    return area_label, label or f"{area_label}操作"


def _target(subject: str) -> str:
    kind, _, rest = subject.partition(":")
    if kind == "program" and rest in program_names():  # a program by its name, not its code
        return f"{KINDS[kind]} {program_names()[rest]}"
    return f"{KINDS[kind]} {rest}" if rest and kind in KINDS else subject


def row(entry: AuditEntry) -> dict[str, Any]:
    area, action = _what(entry.action)
    return {
        "seq": entry.seq,
        "at": clock.display(entry.at, seconds=True),
        "actor": _who(entry.actor),
        "area": area,
        "action": action,
        "target": _target(entry.subject),
    }


COLUMNS = (
    Column("序号", "int", 10),
    Column("时间", "text", 20),
    Column("操作人", "text", 18),
    Column("业务类别", "text", 12),
    Column("操作", "text", 20),
    Column("对象", "text", 30),
    Column("记录内容", "text", 60),
)


def export_row(entry: AuditEntry) -> list[object]:
    view = row(entry)
    return [*(view[k] for k in ("seq", "at", "actor", "area", "action", "target")), entry.details]
