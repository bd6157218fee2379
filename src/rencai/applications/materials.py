"""Uploaded materials, stored content-addressed: the same file is kept once, by its SHA-256.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (the declared type is not
trusted), up to 10 MB. A refused file changes nothing: the case and its other materials stay.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Application, Material
from rencai.applications.requirements import required
from rencai.errors import Refusal
from rencai.settings import settings

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class MaterialError(Refusal):
    pass


def files_dir() -> Path:
    return settings().files_dir


def _path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def keep_bytes(data: bytes) -> str:
    """Keep bytes in the content-addressed file store; their SHA-256 names them. The same bytes
    are stored once, whoever uploads them, and a crash never leaves a half-written file."""
    digest = hashlib.sha256(data).hexdigest()
    path = _path(files_dir(), digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return digest


def stored_bytes(digest: str) -> bytes | None:
    path = _path(files_dir(), digest)
    return path.read_bytes() if path.exists() else None


def store(
    session: Session,
    application: Application,
    uploader_id: int,
    filename: str,
    data: bytes,
    kind: str | None = None,
) -> Material:
    """Keep an uploaded file for a case; ``kind`` names the required material it is (one of
    the program's list, see ``requirements``), or None for any other material."""
    kind = (kind or "").strip() or None
    if kind is not None:
        names = required(session, application.program)
        if kind not in names:
            raise MaterialError("kind", "材料类别不在本项目的必交材料清单中", "bad_kind")
    if not data:
        raise MaterialError("file", "文件为空，请重新选择", "empty_file")
    if len(data) > MAX_BYTES:
        raise MaterialError("file", "文件超过10MB，请压缩后重新上传", "too_large")
    content_type = next((t for sig, t in SIGNATURES.items() if data.startswith(sig)), None)
    if content_type is None:
        raise MaterialError("file", "只接受PDF、JPG、PNG格式的文件", "bad_type")
    digest = keep_bytes(data)
    material = Material(
        application_id=application.id,
        sha256=digest,
        filename=Path(filename).name[:200] or "材料",
        content_type=content_type,
        size=len(data),
        kind=kind,
        uploader_id=uploader_id,
        uploaded_at=clock.now(),
    )
    session.add(material)
    session.flush()
    return material


def materials_of(session: Session, application: Application) -> list[Material]:
    return list(
        session.scalars(
            select(Material).where(Material.application_id == application.id).order_by(Material.id)
        )
    )


def read(material: Material) -> bytes:
    return _path(files_dir(), material.sha256).read_bytes()


def viewed(session: Session, actor_id: int, material: Material, download: bool) -> bytes:
    """The material's bytes for someone allowed to see its case; every view is audited."""
    from rencai.audit.log import append as audit

    data = read(material)
    audit(
        session,
        f"account:{actor_id}",
        "material.download" if download else "material.view",
        f"material:{material.id}",
        {"application": material.application_id, "sha256": material.sha256},
    )
    return data


def size_label(size: int) -> str:
    """A file size as people read it: 850 字节, 12.4 KB, 3.2 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
