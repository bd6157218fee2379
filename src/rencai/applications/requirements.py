"""Required materials per program: what an applicant must upload before a case can be approved.

The policy texts name no materials for the programs the platform takes applications for (they
list them only for enterprise awards handled elsewhere), so the list is an administrator's
setting per program, or for "*" (every program without its own list), with its basis recorded.
Until one is set nothing is required and the case page says so. Approval at any step — by a
person, in bulk, or 秒批 — is refused while a listed material is missing (``missing``).
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.applications.errors import ApplicationError
from rencai.applications.models import Application, Material, RequiredMaterials
from rencai.audit.log import append as audit
from rencai.clock import now
from rencai.registry.models import Account, Role

MAX_ITEMS = 20
MAX_NAME = 64


def setting_of(session: Session, program: str) -> RequiredMaterials | None:
    return session.get(RequiredMaterials, program) or session.get(RequiredMaterials, "*")


def required(session: Session, program: str) -> list[str]:
    setting = setting_of(session, program)
    items: list[str] = json.loads(setting.items) if setting is not None else []
    return items


def missing(session: Session, application: Application) -> list[str]:
    """The required materials of the case's program not yet uploaded (by their name)."""
    names = required(session, application.program)
    if not names:
        return []
    kinds = set(
        session.scalars(
            select(Material.kind).where(
                Material.application_id == application.id, Material.kind.isnot(None)
            )
        )
    )
    return [name for name in names if name not in kinds]


def refuse_if_missing(session: Session, application: Application) -> None:
    absent = missing(session, application)
    if absent:
        raise ApplicationError(
            "materials",
            f"申请材料不齐，不能通过：尚缺{'、'.join(absent)}。可退回补正，请申请人补充上传。",
            "materials_missing",
        )


def set_required(
    session: Session, admin: Account, program: str, items: list[str], source: str
) -> RequiredMaterials:
    """An administrator sets a program's list (an empty list: nothing required); refused as a
    whole, nothing changed, if any item is bad."""
    if admin.role != Role.admin:
        raise ApplicationError("role", "仅系统管理员可以设定必交材料", "forbidden")
    program = program.strip()
    if not program or len(program) > 64:
        raise ApplicationError("program", "项目编号不能为空，且不超过64个字符", "bad_program")
    names = [item.strip() for item in items if item.strip()]
    if len(names) > MAX_ITEMS:
        raise ApplicationError("items", f"必交材料最多{MAX_ITEMS}项", "too_many")
    if any(len(name) > MAX_NAME for name in names):
        raise ApplicationError("items", f"每项材料名称不超过{MAX_NAME}个字", "name_too_long")
    if len(set(names)) != len(names):
        raise ApplicationError("items", "必交材料名称不能重复", "duplicate_item")
    source = source.strip()
    if not source or len(source) > 200:
        raise ApplicationError(
            "source", "请注明设定依据（文件、会议纪要或经办要求），不超过200字", "source_required"
        )
    setting = session.merge(
        RequiredMaterials(
            program=program,
            items=json.dumps(names, ensure_ascii=False),
            source=source,
            updated_by=admin.username,
            updated_at=now(),
        )
    )
    session.flush()
    audit(
        session,
        admin.username,
        "required_materials.set",
        f"program:{program}",
        {"items": names, "source": source},
    )
    return setting


def view(setting: RequiredMaterials) -> dict[str, object]:
    return {
        "program": setting.program,
        "items": json.loads(setting.items),
        "source": setting.source,
        "updated_by": setting.updated_by,
    }


def all_required(session: Session) -> list[RequiredMaterials]:
    return list(session.scalars(select(RequiredMaterials).order_by(RequiredMaterials.program)))
