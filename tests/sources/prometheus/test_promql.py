"""The PromQL the collector writes: exact matchers, selectors from the command line, and the
queries themselves."""

from __future__ import annotations

import re

import pytest

from costplane.errors import InputError
from costplane.sources.prometheus.promql import (
    Selector,
    checked_matchers,
    container_fields,
    log_field,
    matcher_in,
    parse_selector,
    regex_literal,
)
from costplane.sources.prometheus.rows import owner_namespaces

NAMES = ["kube-system", "a.b", "x+y", "odoo-prod", "api@internal", "(odd)|[name]", "a\\b", "$^*?{}"]


@pytest.mark.parametrize("name", NAMES)
def test_a_regex_literal_matches_exactly_its_value(name: str) -> None:
    pattern = re.compile(regex_literal(name))
    assert pattern.fullmatch(name)
    for other in ("", name + "x", "x" + name, name.replace(name[0], "z")):
        if other != name:
            assert not pattern.fullmatch(other)


def test_matchers_are_quoted_promql_strings() -> None:
    assert matcher_in("namespace", ["shop"]) == 'namespace="shop"'
    assert matcher_in("router", ["a.b@x", 'say "hi"']) == 'router=~"a\\\\.b@x|say \\"hi\\""'


def test_selectors_from_the_command_line() -> None:
    assert parse_selector("costplane_log_bytes_total", "--x") == Selector(
        "costplane_log_bytes_total"
    )
    parsed = parse_selector('vector_bytes_total{cluster="eu-1", app=~"a,b"}', "--x")
    assert parsed == Selector("vector_bytes_total", ('cluster="eu-1"', 'app=~"a,b"'))
    assert str(parsed.where('namespace="shop"')) == (
        'vector_bytes_total{cluster="eu-1", app=~"a,b", namespace="shop"}'
    )
    assert checked_matchers('cluster="eu-1",env!="dev"', "--selector") == (
        'cluster="eu-1"',
        'env!="dev"',
    )


@pytest.mark.parametrize(
    "text", ["log bytes", "1metric", 'name{cluster="x"', "name{cluster=x}", "name{}extra"]
)
def test_a_bad_selector_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_selector(text, "--log-bytes-metric")
    assert str(raised.value).startswith(f"--log-bytes-metric {text!r}: ")


def test_the_queries() -> None:
    fields = {
        f.name: f.query(['namespace="shop"'], 3600) for f in container_fields(['cluster="c"'])
    }
    assert fields["cpu_usage"] == (
        "sum by (namespace, pod, container, node) (rate(container_cpu_usage_seconds_total"
        '{container!="", container!="POD", cluster="c", namespace="shop"}[3600s]))'
    )
    assert fields["memory_usage"] == (
        "max by (namespace, pod, container, node) (avg_over_time("
        'container_memory_working_set_bytes{container!="", container!="POD", cluster="c", '
        'namespace="shop"}[3599999ms]))'
    )
    assert fields["memory_limit"] == (
        "max by (namespace, pod, container, node) (avg_over_time("
        'kube_pod_container_resource_limits{cluster="c", resource="memory", '
        'namespace="shop"}[3599999ms]))'
    )
    assert log_field(Selector("logs_total")).query(['namespace="a"'], 300) == (
        'sum by (namespace) (increase(logs_total{namespace="a"}[300s]))'
    )


def test_a_router_belongs_to_the_longest_namespace_it_starts_with() -> None:
    namespaces = ["shop", "shop-prod", "kube-system"]
    routers = [
        "shop-prod-odoo-1a2b@kubernetescrd",
        "shop-odoo-3c4d@kubernetescrd",
        "shop-prodx-odoo@kubernetescrd",
        "api@internal",
        "kube-system-dashboard-abc@kubernetes",
    ]
    assert owner_namespaces(routers, namespaces) == [
        "shop-prod",
        "shop",
        "shop",
        "",
        "kube-system",
    ]
