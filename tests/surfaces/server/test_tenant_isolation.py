"""A tenant's token sees its own tenant and nothing of any other, on every route.

The walk reads the routes from the OpenAPI document, so a route added later is walked
too: each is called with the tenant's token, with its parameters filled (a path's tenant,
service class or finding both as the token's own and as another tenant's; a required
query parameter from its example; a request body from its schema), and no answer may
hold another tenant's id, name, finding fingerprint or an amount of money that belongs
to other tenants only (their lines, and the platform's totals). A parameter the walk
cannot fill fails the test: give it an example.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import product
from typing import Any

import pytest

from tests.conftest import DEMO_PERIOD, Demo
from tests.surfaces.server.conftest import TENANT, Served, serve_copy

MONEY = re.compile(r"-?[0-9]+\.[0-9]+")


@pytest.fixture(scope="module")
def served(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Its own copy: the walk POSTs too (a tenant's token may not, but if it could...)."""
    done = serve_copy(demo, tmp_path_factory.mktemp("isolation") / "demo")
    yield done
    done.close()


def admin(served: Served, url: str) -> Any:
    answer = served.get(url)
    assert answer.status_code == 200, answer.text
    return answer.json()


def amounts(value: Any) -> set[Decimal]:
    """Every amount of money in a document: each decimal string or number with a fraction."""
    found: set[Decimal] = set()
    if isinstance(value, dict):
        for item in value.values():
            found |= amounts(item)
    elif isinstance(value, list):
        for item in value:
            found |= amounts(item)
    elif isinstance(value, str | float) and not isinstance(value, bool):
        text = str(value)
        if MONEY.fullmatch(text):
            found.add(Decimal(text).normalize())
    return found


class Secrets:
    """What belongs to other tenants, read with the admin's token."""

    def __init__(self, served: Served) -> None:
        catalog = served.project.catalog()
        me = catalog.tenant(TENANT)
        assert me is not None
        self.own_class = me.service_class
        others = [t for t in catalog.tenants if t.id != TENANT]
        self.other = others[0].id
        self.other_class = next(name for name in catalog.service_classes if name != self.own_class)
        everything = admin(served, "/api/v1/findings?all=true&limit=1000")["items"]
        mine = [f for f in everything if f["tenant"] == TENANT]
        theirs = [f for f in everything if f["tenant"] not in (TENANT, None)]
        assert mine, "the demo's tenant has findings: the walk shows them"
        assert theirs
        self.own_finding = str(mine[0]["id"])
        self.other_finding = str(theirs[0]["id"])
        self.other_fingerprint = theirs[0]["fingerprint"][:16]
        self.words = {t.id for t in others} | {t.name for t in others}
        self.words |= {f["fingerprint"] for f in theirs}
        own_money: set[Decimal] = amounts(mine)
        other_money: set[Decimal] = amounts(theirs)
        by = "tenant,environment,service-class,domain"
        for url in (
            f"/api/v1/cost/showback?period={DEMO_PERIOD}&by={by}",
            f"/api/v1/cost/showback?period={DEMO_PERIOD}",
            f"/api/v1/cost/chargeback?period={DEMO_PERIOD}&by={by}",
            f"/api/v1/cost/chargeback?period={DEMO_PERIOD}",
            f"/api/v1/cost/unit-cost?period={DEMO_PERIOD}",
            f"/api/v1/margin?period={DEMO_PERIOD}",
        ):
            document = admin(served, url)
            for key in ("lines", "tenants", "flagged"):
                for row in document.get(key, []):
                    (own_money if row["tenant"] == TENANT else other_money).update(amounts(row))
            # the platform's totals (not the rules: a rounding step is no one's money)
            other_money |= amounts(
                [document.get(k) for k in ("total", "sources", "untenanted_cost")]
            )
        other_money |= amounts(admin(served, f"/api/v1/reconcile?period={DEMO_PERIOD}"))
        # The per-tenant capabilities, whole: its own rows' amounts are its own (a quantity
        # used may equal another's money); another's rows hold its id, which the walk seeks.
        for url, key in PER_TENANT:
            for row in admin(served, url)[key]:
                if row["tenant"] == TENANT:
                    own_money |= amounts(row)
        self.money = {m for m in other_money - own_money if m != 0}
        assert len(self.money) > 500  # 39 tenants' lines, and the totals

    def leaks(self, text: str, body: Any, sent: list[str]) -> list[str]:
        for value in sent:  # what the request said is echoed back in a problem's detail
            text = text.replace(value, "")
        found = [word for word in self.words if word in text]
        found += [f"money {m}" for m in amounts(body) & self.money]
        return found


PER_TENANT = (
    (f"/api/v1/entitlements?period={DEMO_PERIOD}", "tenants"),
    (f"/api/v1/dr?period={DEMO_PERIOD}", "tenants"),
    ("/api/v1/recommendations/workloads", "containers"),
    ("/api/v1/forecasts/databases", "databases"),
)
"""Routes whose whole document lists rows of every tenant, under `key`."""


def resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def example_of(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value a request body's schema accepts, for the walk."""
    schema = resolved(spec, schema)
    if "examples" in schema:
        return schema["examples"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example_of(spec, schema["properties"][name])
            for name in schema.get("required", [])
        }
    if kind == "string":
        return "2099-12-31" if schema.get("format") == "date" else "a reason"
    return {"integer": 1, "number": 1, "boolean": False, "array": []}.get(kind)


def calls(spec: dict[str, Any], secrets: Secrets) -> Iterator[tuple[str, str, str, Any, list[str]]]:
    """(method, path, url, json body, values sent) for every operation, its parameters
    filled every way the walk knows."""
    path_values = {
        "tenant": [TENANT, secrets.other],
        "name": [secrets.own_class, secrets.other_class],
        "reference": [secrets.own_finding, secrets.other_finding, secrets.other_fingerprint],
    }
    query_values = {"tenant": [None, TENANT, secrets.other], "all": [None, "true"]}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            options: list[list[tuple[str, str, str | None]]] = []
            for parameter in operation.get("parameters", []):
                name, where = parameter["name"], parameter["in"]
                schema = parameter.get("schema", {})
                if where == "path":
                    values = path_values.get(name) or schema.get("examples", [])[:1]
                elif where == "query" and name in query_values:
                    values = query_values[name]
                elif where == "query" and parameter.get("required"):
                    values = schema.get("examples", [])[:1]
                else:
                    continue
                assert values, f"{method.upper()} {path}: no value for {where} parameter {name}"
                options.append([(where, name, value) for value in values])
            body = None
            if "requestBody" in operation:
                content = operation["requestBody"]["content"]["application/json"]
                body = example_of(spec, content["schema"])
            for chosen in product(*options):
                url, query, sent = path, [], []
                for where, name, value in chosen:
                    if value is None:
                        continue
                    sent.append(value)
                    if where == "path":
                        url = url.replace("{" + name + "}", value)
                    else:
                        query.append(f"{name}={value}")
                yield method, path, url + ("?" + "&".join(query) if query else ""), body, sent


def test_a_tenant_token_sees_nothing_of_another_tenant_on_any_route(served: Served) -> None:
    spec = served.client.get("/api/v1/openapi.json").json()
    secrets = Secrets(served)
    walked: dict[str, int] = {}
    own_answers = 0
    for method, path, url, body, sent in calls(spec, secrets):
        answer = served.client.request(method, url, json=body, headers=served.auth("tenant"))
        walked[f"{method} {path}"] = walked.get(f"{method} {path}", 0) + 1
        assert answer.status_code < 500, (url, answer.text)
        json_answer = answer.headers["content-type"].endswith("json")
        parsed = answer.json() if json_answer else None  # a statement: PDF, XLSX, HTML
        leaks = secrets.leaks(answer.text, parsed, sent)
        assert leaks == [], f"{method.upper()} {url} shows another tenant's {leaks[:5]}"
        if any(value in (secrets.other, secrets.other_class) for value in sent) or any(
            value in (secrets.other_finding, secrets.other_fingerprint) for value in sent
        ):
            assert answer.status_code in (403, 404), (url, answer.status_code)
        if answer.status_code == 200 and TENANT in answer.text:
            own_answers += 1
    operations = {f"{m} {p}" for p, ops in spec["paths"].items() for m in ops}
    assert set(walked) == operations
    # Not vacuous: its own tenant, class, findings and cost were answered.
    assert own_answers >= 10


def test_a_tenant_sees_its_own_cost_whole(served: Served) -> None:
    """Its narrowed showback is the admin's lines of it, totalled."""
    mine = served.get(f"/api/v1/cost/showback?period={DEMO_PERIOD}", "tenant").json()
    whole = admin(served, f"/api/v1/cost/showback?period={DEMO_PERIOD}")
    assert mine["lines"] == [line for line in whole["lines"] if line["tenant"] == TENANT]
    [line] = mine["lines"]
    assert mine["total"] == {k: v for k, v in line.items() if k not in ("line", "tenant")}
    assert mine["sources"] is None
    findings = served.get("/api/v1/findings?all=true", "tenant").json()["items"]
    assert findings
    assert {f["tenant"] for f in findings} == {TENANT}
