"""The OpenAPI document describes every answer: each route's responses, walked with an
admin's and a tenant's token, match the schema declared for their status and media type
(what schemathesis checks in CI, here on the demo's real data)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.surfaces.server.conftest import Served
from tests.surfaces.server.test_tenant_isolation import Secrets, calls


def declared(
    spec: dict[str, Any], path: str, method: str, status: int, answered: str
) -> tuple[str, Any]:
    """The media type and schema declared for the status; of several (a statement's PDF,
    XLSX or HTML), the one answered."""
    responses = spec["paths"][path][method]["responses"]
    response = responses.get(str(status)) or responses.get("default")
    assert response is not None, f"{method.upper()} {path} does not declare {status}"
    found = [
        (media, body)
        for media, body in response["content"].items()
        if status < 400 or media == "application/problem+json"
    ]
    if len(found) > 1:
        found = [(media, body) for media, body in found if media == answered]
    [(media_type, content)] = found
    return media_type, content["schema"]


def test_the_openapi_document_is_3_1_and_every_route_declares_its_problems(
    served: Served,
) -> None:
    spec = served.client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "200" in codes, (method, path)
            if path.startswith("/api/v1/"):
                assert {"400", "401", "403", "404", "422", "500"} <= codes, (method, path)
                assert operation["security"], (method, path)


@pytest.mark.parametrize("role", ["admin", "tenant"])
def test_every_answer_matches_its_declared_schema(served: Served, role: str) -> None:
    spec = served.client.get("/api/v1/openapi.json").json()
    checked = 0
    for method, path, url, body, _ in calls(spec, Secrets(served)):
        answer = served.client.request(method, url, json=body, headers=served.auth(role))
        assert answer.status_code < 500, (url, answer.text)
        # parameters (charset, the exposition format's version) are not part of the media type
        answered = answer.headers["content-type"].split(";")[0]
        media_type, schema = declared(spec, path, method, answer.status_code, answered)
        assert answered == media_type, url
        validator = Draft202012Validator(
            {**schema, "components": spec["components"]}, format_checker=FormatChecker()
        )
        document = answer.json() if media_type.endswith("json") else answer.text
        problems = [e.message for e in validator.iter_errors(document)]
        assert problems == [], f"{method.upper()} {url} ({answer.status_code}): {problems[:3]}"
        checked += 1
    assert checked >= 30  # every operation, its parameters filled every way
