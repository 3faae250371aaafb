"""The API checked against its own OpenAPI schema by schemathesis: no server errors."""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from starlette.testclient import TestClient

from declass.archive import Archive
from declass.web import create_app

EXAMPLES = 25


@pytest.fixture(scope="module")
def api_schema(web_archive: Archive) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(web_archive))


def test_no_operation_answers_with_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    failures: list[str] = []
    calls: list[int] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            calls.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as exc:  # collect all, report together
                failures.append(
                    f"{case.operation.label}: {case.path_parameters} {case.query}: {exc}"
                )
                raise

        with contextlib.suppress(Exception):
            check()
    assert not failures, "\n".join(failures[:5])
    assert len(calls) > 50, len(calls)
    assert 500 not in calls


def test_the_schema_is_served(web_archive: Archive) -> None:
    with TestClient(create_app(web_archive)) as client:
        assert client.get("/api/openapi.json").json()["info"]["title"]
