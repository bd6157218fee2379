"""Every API route declares its answer: /openapi.json names the model of each main resource,
and the one refusal table gives the API and the pages the same status for the same code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import LiveServer

# the main resources, each built once (capability views) and shared by API, pages and CLI
MAIN_RESOURCES = {
    ("post", "/api/v1/entitlements"): "EntitlementResult",
    ("get", "/api/v1/me/entitlements"): "EntitlementResult",
    ("get", "/api/v1/applications/{application_id}"): "CaseDetail",
    ("post", "/api/v1/applications"): "CaseView",
    ("get", "/api/v1/cards/{number}"): "CardDetail",
    ("post", "/api/v1/ledger/runs"): "RunSummaryView",
    ("get", "/api/v1/ledger/batches/{batch_id}"): "BatchDetail",
    ("get", "/api/v1/ledger/receivables/{receivable_id}"): "ReceivableView",
}


def _success(operation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    for status in ("200", "201", "202", "204"):
        if status in operation["responses"]:
            return status, operation["responses"][status]
    raise AssertionError(operation.get("summary"))


@pytest.fixture(scope="module")
def spec(live_server: LiveServer) -> dict[str, Any]:
    response = httpx.get(f"{live_server.url}/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_main_resources_name_their_model(spec: dict[str, Any]) -> None:
    for (method, path), model in MAIN_RESOURCES.items():
        _, response = _success(spec["paths"][path][method])
        schema = response["content"]["application/json"]["schema"]
        assert schema.get("$ref") == f"#/components/schemas/{model}", (path, schema)
        assert model in spec["components"]["schemas"]


def test_every_json_answer_has_a_schema(spec: dict[str, Any]) -> None:
    """A route returning JSON says what it returns: a model, or at least its type."""
    undocumented = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            status, response = _success(operation)
            content = response.get("content", {}).get("application/json")
            if status == "204" or content is None:
                continue  # no body, or a file
            if not content.get("schema"):
                undocumented.append(f"{method.upper()} {path}")
    assert not undocumented


def test_the_case_list_documents_its_items(spec: dict[str, Any]) -> None:
    _, response = _success(spec["paths"]["/api/v1/applications"]["get"])
    listing = response["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    items = spec["components"]["schemas"][listing]["properties"]["items"]
    # a row is the case's view with who applied (masked), the employer and the days left
    assert items["items"]["$ref"] == "#/components/schemas/CaseRow"
    case = spec["components"]["schemas"]["CaseView"]
    assert {"id", "status", "status_label", "version", "chain", "step"} <= set(case["required"])
    row = spec["components"]["schemas"]["CaseRow"]
    assert set(case["required"]) | {"applicant", "employer", "working_days_left"} <= set(
        row["required"]
    )
    assert {"count", "page", "per_page", "pages"} <= set(
        spec["components"]["schemas"][listing]["required"]
    )
