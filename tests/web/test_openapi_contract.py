"""The API keeps its own document: schemathesis generates requests from ``/api/openapi.json``
for every operation, as each role, against the app over real HTTP on its own PostgreSQL
database, and every answer must be one the document declares — no server error, a declared
status code and content type, a body that fits the declared schema."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine, text

from rencai.db.session import engine_for, session_scope, upgrade
from rencai.registry.accounts import create_account, register_employer, register_talent
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import ServerProcess, random_id_number

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ["anonymous", "talent", "hr", "reviewer", "admin", "finance"]
PASSWORD = "secret123"
# examples per operation and role (valid data, then data the document forbids)
POSITIVE, NEGATIVE = 2, 1
# operations that end the caller's own session run last for each role
LAST = ("DELETE /api/v1/tokens/current", "PUT /api/v1/me/password")


@pytest.fixture(scope="module")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The app on a database of its own: generated requests change nothing other tests see."""
    name = f"contract_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    with engine_for(url).begin() as connection:
        # the role accounts lie far from the small numbers generated paths try first
        connection.execute(text("ALTER SEQUENCE accounts_id_seq RESTART WITH 900000"))
    with ServerProcess(url, tmp_path_factory.mktemp("contract-files")) as served:
        served.database_url = url
        yield served
    engine_for(url).dispose()


@pytest.fixture(scope="module")
def accounts(server: ServerProcess) -> dict[str, str]:
    tag = uuid.uuid4().hex[:6]
    names = {role: f"ct{role[:3]}{tag}" for role in ROLES if role != "anonymous"}
    profile = doctor_today()
    first17 = "91130100MA" + "".join("0123456789ABCDFGH"[b % 17] for b in uuid.uuid4().bytes[:7])
    with session_scope(server.database_url) as s:
        employer = register_employer(
            s, first17 + uscc_check_character(first17), "示例药业", "130102", "enterprise"
        )
        register_talent(s, names["talent"], PASSWORD, "王博士", random_id_number(), profile)
        create_account(s, names["hr"], PASSWORD, "人事部", Role.employer, employer_id=employer.id)
        create_account(s, names["reviewer"], PASSWORD, "市委人才办", Role.city_reviewer)
        create_account(s, names["admin"], PASSWORD, "管理员", Role.admin)
        create_account(
            s, names["finance"], PASSWORD, "财务", Role.finance, jurisdiction="shijiazhuang"
        )
    return names


def _token(server: ServerProcess, username: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@contextlib.contextmanager
def _bearer(server: ServerProcess, accounts: dict[str, str], role: str) -> Iterator[Any]:
    """Headers for ``role``, renewed when a generated request ended the session."""
    if role == "anonymous":
        yield lambda: {}
        return
    current = {"token": _token(server, accounts[role])}

    def headers() -> dict[str, str]:
        check = httpx.get(
            f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {current['token']}"}
        )
        if check.status_code in (401, 403):
            current["token"] = _token(server, accounts[role])
        return {"Authorization": f"Bearer {current['token']}"}

    yield headers


def _order(operation: Any) -> tuple[bool, str]:
    label = f"{operation.method.upper()} {operation.path}"
    return (label in LAST, label)


def _run(
    base_url: str, operation: Any, mode: GenerationMode, examples: int, headers: dict[str, str]
) -> str | None:
    """Calls ``operation`` with generated cases; the first failure's story, or None."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        call()
    except Unsatisfiable:
        return None  # nothing to negate: an operation without parameters or body
    except (Exception, BaseExceptionGroup) as exc:
        return str(exc)[:2500]
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_is_one_the_document_declares(
    server: ServerProcess, accounts: dict[str, str], role: str
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/api/openapi.json")
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) > 50
    failures: list[str] = []
    modes = ((GenerationMode.POSITIVE, POSITIVE), (GenerationMode.NEGATIVE, NEGATIVE))
    with _bearer(server, accounts, role) as headers_for:
        for operation in operations:
            for mode, examples in modes:
                failure = _run(server.url, operation, mode, examples, headers_for())
                if failure:
                    failures.append(f"{role} {operation.label} [{mode.value}]: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_document_resolves_every_ref_and_declares_security(live_server: Any) -> None:
    document = httpx.get(f"{live_server.url}/api/openapi.json").json()
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            if "$defs" in node:
                refs.append("$defs left in place")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], ref
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert (schemes["session"]["in"], schemes["session"]["name"]) == ("cookie", "rencai_session")
    paths = document["paths"]
    me = paths["/api/v1/me"]["get"]
    assert me["security"] == [{"bearer": []}, {"session": []}]
    assert all(p.get("name", "").lower() != "authorization" for p in me.get("parameters", []))
    error = {"$ref": "#/components/schemas/Error"}
    decision = paths["/api/v1/applications/{application_id}/decision"]["post"]["responses"]
    for code in ("401", "403", "404", "409", "422"):
        assert decision[code]["content"]["application/json"]["schema"] == error, code
    assert "security" not in paths["/api/v1/policies"]["get"]
    bundle = paths["/api/v1/cards/trust-bundle"]["get"]["responses"]["200"]["content"]
    assert list(bundle) == ["application/cose"]
    entitlements = paths["/api/v1/entitlements"]["post"]["requestBody"]["content"]
    assert entitlements["application/json"]["schema"].get("$id") is None
