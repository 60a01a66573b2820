"""Property-based API tests from the app's own OpenAPI document (schemathesis, in-process through WSGI).

Every /api/v1 operation gets generated bodies and paths, a bounded number of examples each, and every
answer must be no 5xx, a documented status code, and a body that matches the documented schema.
The document is the one /api/v1/openapi.json serves (checked below); requests go to the `app` fixture.
"""

from __future__ import annotations

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from planner.api.openapi import document

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(document())


def test_the_document_tested_is_the_one_served(client: FlaskClient) -> None:
    assert client.get("/api/v1/openapi.json").json == document()


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_matches_its_openapi_document(app: Flask, case: schemathesis.Case) -> None:
    case.call_and_validate(app=app, checks=CHECKS)
