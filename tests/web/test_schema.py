"""The API checked against its own OpenAPI schema by schemathesis: no server errors.

A server error shows in two ways: a 5xx answer, or an exception the app raises (the
test client re-raises what the server error middleware caught). Both are failures
here; nothing is swallowed. The last test proves it on an app made to fail.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from declass.archive import Archive
from declass.web import create_app

EXAMPLES = 25


def server_errors(
    api_schema: schemathesis.BaseSchema, examples: int = EXAMPLES
) -> tuple[list[str], int]:
    """Every server error (5xx answer or exception) met calling each operation with
    generated requests, and how many calls were made."""
    failures: list[str] = []
    calls = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            where = f"{case.operation.label}: {case.path_parameters} {case.query}"
            try:
                response = case.call()
            except Exception as exc:  # the app raised: a server error
                failures.append(f"{where}: raised {type(exc).__name__}: {exc}")
                return
            if response.status_code >= 500:
                failures.append(f"{where}: answered {response.status_code}")

        check()
    return failures, calls


@pytest.fixture(scope="module")
def api_schema(web_archive: Archive) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(web_archive))


def test_no_operation_answers_with_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    failures, calls = server_errors(api_schema)
    assert not failures, "\n".join(failures[:5])
    assert calls > 50, calls


def test_the_schema_is_served(web_archive: Archive) -> None:
    with TestClient(create_app(web_archive)) as client:
        schema = client.get("/api/openapi.json").json()
        assert schema["info"]["title"]
        assert "/api/documents/{doc_id}/annotations" in schema["paths"]
        assert "patch" in schema["paths"]["/api/documents/{doc_id}"]


def _failing_app() -> Starlette:
    """An API whose one documented operation fails one way or another."""
    schema: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "failing", "version": "1"},
        "paths": {
            "/api/boom": {
                "get": {
                    "parameters": [
                        {
                            "name": "how",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "enum": ["raise", "answer"]},
                        }
                    ],
                    "responses": {"200": {"description": "never"}},
                }
            }
        },
    }

    async def openapi(request: Request) -> Response:
        return JSONResponse(schema)

    async def boom(request: Request) -> Response:
        if request.query_params.get("how") == "raise":
            raise RuntimeError("a bug")
        return JSONResponse({"error": "broken"}, status_code=503)

    return Starlette(routes=[Route("/api/openapi.json", openapi), Route("/api/boom", boom)])


def test_a_server_error_is_reported_not_swallowed() -> None:
    failing = schemathesis.openapi.from_asgi("/api/openapi.json", _failing_app())
    failures, calls = server_errors(failing, examples=10)
    assert calls >= 2
    assert any("raised RuntimeError" in f for f in failures), failures
    assert any("answered 503" in f for f in failures), failures
