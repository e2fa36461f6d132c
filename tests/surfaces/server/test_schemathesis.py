"""schemathesis against the OpenAPI document: generated requests (valid and invalid) to
every operation, in process (ASGI), with an admin's and a tenant's token. No answer may be
a 500, and each must be a status, media type and body the document declares for it.

Bounded so CI pays under a minute: a few generated cases per operation, valid and
invalid, derandomised so a failure reproduces; boundary values are the hostile-input
tests' job (test_hostile_input.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Demo
from tests.surfaces.server.conftest import Served, serve_copy

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 3
"""Generated cases per operation and mode: bounded so the test stays under a minute."""
CONFIG = {"generation": {"allow-x00": False}}


@pytest.fixture(scope="module")
def served(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Its own copy: generated decisions (acknowledge, suppress) change its findings."""
    done = serve_copy(demo, tmp_path_factory.mktemp("schemathesis") / "demo")
    yield done
    done.close()


@pytest.fixture(scope="module")
def api(served: Served) -> Any:
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", served.client.app, config=config)


# schemathesis' own pytest plugin (`from_fixture`) does not run under pytest 9 (it sets a
# node attribute pytest no longer has): the operations are walked here, each through a
# Hypothesis test of its generated cases.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_is_declared_and_none_is_a_500(
    api: Any, served: Served, mode: GenerationMode
) -> None:
    """Each generated request, sent with each token (admin, tenant)."""
    walked = []
    for result in api.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def answers(case: Any) -> None:
            for role in ("admin", "tenant"):
                case.call_and_validate(headers=served.auth(role), checks=CHECKS)

        try:
            answers()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue  # nothing of this operation can be made invalid (no parameter, no body)
        walked.append(operation.label)
    assert len(walked) >= 25  # (nearly) every operation of the document
