"""The OpenAPI document, made complete after FastAPI generates it (decision 0102 lists what).

- Every ``$ref`` resolves: JSON Schemas embedded by a route (the profile schema with its own
  ``$defs``) are moved under ``components/schemas``.
- The security schemes are declared: a Bearer token (``POST /api/v1/tokens``) or the pages'
  session cookie; an operation that reads the caller's identity requires one of them.
- Every operation declares the refusals it can give, each with the one error schema.
- Files are declared as what they are (the trust bundle is ``application/cose``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from rencai.web.cookies import SESSION_COOKIE

ERROR = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": "一次拒绝或失败：逐项列出原因（中文），field 指出涉及的字段",
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message", "code"],
                "properties": {
                    "field": {"type": "string", "examples": ["person.birth_date"]},
                    "message": {"type": "string", "examples": ["日期格式应为 YYYY-MM-DD"]},
                    "code": {"type": "string", "examples": ["date_from_datetime_parsing"]},
                },
            },
        }
    },
}
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "POST /api/v1/tokens 取得的令牌：Authorization: Bearer <token>",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "网页登录后的会话 Cookie；用它提交修改类请求时须同时带 X-CSRF-Token 请求头",
    },
}
REFUSALS: dict[str, str] = {
    "400": "请求内容无法解析",
    "401": "未登录或登录已失效",
    "403": "无权执行（角色或辖区不符、须先修改密码，或缺少 CSRF 令牌）",
    "404": "没有找到该记录",
    "409": "与当前状态冲突（已被他人处理、重复提交或版本已变）",
    "413": "请求内容过大",
    "422": "请求内容无效：逐字段列出问题",
    "429": "尝试过于频繁，请稍后再试",
    "503": "系统繁忙，请稍后重试",
}
UNSAFE = ("post", "put", "patch", "delete")
# operations that read the caller's identity when there is one, and work without
OPTIONAL_AUTH = {("delete", "/api/v1/tokens/current")}  # signing out twice is not an error
# refusals particular to an operation, beyond those its shape implies
PARTICULAR: dict[tuple[str, str], tuple[str, ...]] = {
    ("post", "/api/v1/tokens"): ("401", "429"),  # wrong credentials; too many attempts
    ("get", "/api/v1/shortage/matches"): ("409",),  # the talent has not consented to matching
}
# operations that answer with a file rather than JSON: (method, path) → {media type: schema}
BINARY = {"type": "string", "format": "binary"}
PDF = {"application/pdf": {"schema": BINARY}}
IMAGES = {"image/jpeg": {"schema": BINARY}, "image/png": {"schema": BINARY}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/v1/cards/trust-bundle"): {"application/cose": {"schema": BINARY}},
    ("get", "/api/v1/me/cards/{number}/card.pdf"): PDF,
    ("get", "/api/v1/cards/{number}/holder-photo"): IMAGES,
    ("get", "/api/v1/applications/{application_id}/materials/{material_id}"): PDF | IMAGES,
    ("get", "/api/v1/feeds/loads/{load_id}/rejects"): {"text/csv": {"schema": BINARY}},
    # a report as JSON, or as Excel when its name ends in .xlsx
    ("get", "/api/v1/ledger/reports/{name}"): {"application/json": {}, XLSX: {"schema": BINARY}},
}


def document_openapi(app: FastAPI) -> None:
    """Replaces ``app.openapi`` with the completed document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = complete(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    _hoist_defs(document, schemas)
    schemas[ERROR] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch", "head", "options"):
                _complete_operation(path, method, operation, schemas)
    return document


def _hoist_defs(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Moves every embedded ``$defs`` into ``components/schemas`` and points its refs there."""
    renamed: dict[str, str] = {}

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            defs = node.pop("$defs", None)
            # an embedded schema's $id would make its refs relative to that id
            if defs is not None or "$schema" in node:
                node.pop("$id", None)
                node.pop("$schema", None)
            for name, schema in (defs or {}).items():
                target = name
                while target in schemas and schemas[target] != schema:
                    target += "_"
                schemas[target] = schema
                renamed[name] = target
                collect(schema)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    def repoint(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                node["$ref"] = f"#/components/schemas/{renamed.get(name, name)}"
            for value in node.values():
                repoint(value)
        elif isinstance(node, list):
            for value in node:
                repoint(value)

    collect(document)
    repoint(document)


def _names_a_record(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether the request body names a record by its number (``id``, ``…_id``, ``…_ids``)."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            schema = schemas.get(ref.rsplit("/", 1)[1], {})
        names = set(schema.get("properties", {}))
        for item in schema.get("properties", {}).values():
            inner = item.get("items", {}).get("$ref", "")
            if inner.startswith("#/components/schemas/"):
                names |= set(schemas.get(inner.rsplit("/", 1)[1], {}).get("properties", {}))
        if any(n == "id" or n.endswith(("_id", "_ids")) for n in names):
            return True
    return False


def _complete_operation(
    path: str, method: str, operation: dict[str, Any], schemas: dict[str, Any]
) -> None:
    parameters = operation.get("parameters", [])
    # the Authorization header is the security scheme, not a parameter of its own
    authenticated = any(
        p.get("in") == "header" and p.get("name", "").lower() == "authorization" for p in parameters
    )
    kept = [
        p
        for p in parameters
        if not (p.get("in") == "header" and p.get("name", "").lower() == "authorization")
    ]
    if kept != parameters:
        if kept:
            operation["parameters"] = kept
        else:
            operation.pop("parameters")
    responses = operation.setdefault("responses", {})
    codes = ["503"]
    if authenticated:
        operation["security"] = [{"bearer": []}, {"session": []}]
        if (method, path) in OPTIONAL_AUTH:
            operation["security"].append({})
        codes += ["401", "403"]
    if re.search(r"\{[^}]+\}", path) or _names_a_record(operation, schemas):
        codes.append("404")
    if method in UNSAFE:
        codes += ["409", "413"]
        if not authenticated:
            codes.append("403")  # a cookie-borne request without its CSRF token
    if kept or "requestBody" in operation:
        codes.append("422")
    if "requestBody" in operation:
        codes.append("400")
    codes += PARTICULAR.get((method, path), ())
    for code in sorted(set(codes)):
        responses.setdefault(code, _refusal(code))
        if "content" not in responses[code]:
            responses[code]["content"] = _error_content()
        else:
            for media in responses[code]["content"].values():
                media["schema"] = {"$ref": f"#/components/schemas/{ERROR}"}
    files = FILES.get((method, path))
    if files is not None:
        ok = responses.setdefault("200", {"description": "文件"})
        declared = ok.get("content", {})
        # a media type the route's own model already documents keeps that schema
        ok["content"] = {
            media: declared[media] if not spec and media in declared else copy.deepcopy(spec)
            for media, spec in files.items()
        }


def _refusal(code: str) -> dict[str, Any]:
    return {"description": REFUSALS[code], "content": _error_content()}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}}
