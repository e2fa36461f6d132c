"""The PromQL the collector sends: the series KRR and OpenCost read, one query per column,
and kubelet's volume statistics.

Counters (CPU seconds, Traefik requests, log bytes) are read with `rate` and
`increase` over exactly one step: the sample at the step's start is the
baseline, so consecutive steps neither overlap nor leave a gap. Gauges
(working set, requests, limits, capacity) are read with `*_over_time` over the
step minus a millisecond, so a sample on a step boundary counts in one step
only (Prometheus 2 ranges include both ends; Prometheus 3 excludes the start,
and the two then agree).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from costplane.errors import InputError

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
MATCHER = re.compile(r'^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*$')
REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")

CONTAINER_LABELS = ("namespace", "pod", "container")
USAGE_LABELS = (*CONTAINER_LABELS, "node")
USAGE_FIELDS = frozenset({"cpu_usage", "memory_usage", "memory_peak"})
"""The fields whose series make a row; the others (requests, limits) are joined to them."""
CADVISOR = ('container!=""', 'container!="POD"')
"""cAdvisor also exports the pod's cgroup (container="") and the pause container."""


def quoted(value: str) -> str:
    """A PromQL string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def regex_literal(value: str) -> str:
    """`value` as a regular expression (RE2) that matches exactly it."""
    return REGEX_SPECIAL.sub(r"\\\1", value)


def matcher_in(label: str, values: Sequence[str]) -> str:
    """A matcher for `label` being one of `values` (anchored, as PromQL regexes are)."""
    if len(values) == 1:
        return f"{label}={quoted(values[0])}"
    return f"{label}=~{quoted('|'.join(regex_literal(v) for v in values))}"


def split_matchers(text: str) -> tuple[str, ...]:
    """`a="x", b=~"y,z"` as its matchers; commas inside quoted values are kept."""
    parts: list[str] = []
    current: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == ",":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return tuple(part.strip() for part in parts if part.strip())


def checked_matchers(text: str, option: str, given: str | None = None) -> tuple[str, ...]:
    """Label matchers given on the command line, each `label<op>"value"` (`given`: the
    option's whole value, when `text` is a part of it)."""
    matchers = split_matchers(text)
    for matcher in matchers:
        if not MATCHER.match(matcher):
            raise InputError(
                f'{option} {given or text!r}: {matcher!r} is not a label matcher (label="value", '
                'label!="value", label=~"regex" or label!~"regex")'
            )
    return matchers


@dataclass(frozen=True)
class Selector:
    """A metric name and its label matchers."""

    metric: str
    matchers: tuple[str, ...] = ()

    def where(self, *matchers: str) -> Selector:
        return Selector(self.metric, (*self.matchers, *matchers))

    def __str__(self) -> str:
        if not self.matchers:
            return self.metric
        return f"{self.metric}{{{', '.join(self.matchers)}}}"


def parse_selector(text: str, option: str) -> Selector:
    """`metric` or `metric{label="value", ...}`, as given to an option."""
    text = text.strip()
    name, brace, rest = text.partition("{")
    name = name.strip()
    if not METRIC_NAME.match(name) or (brace and not rest.rstrip().endswith("}")):
        raise InputError(
            f'{option} {text!r}: not a metric name or selector (example: name{{label="value"}})'
        )
    inner = rest.rstrip()[:-1] if brace else ""
    return Selector(name, checked_matchers(inner, option, text) if inner.strip() else ())


@dataclass(frozen=True)
class Field:
    """One value per output series and step: what a query computes, by which labels."""

    name: str
    what: str
    selector: Selector
    shape: str
    """PromQL with {by}, {sel}, {step} (the step) and {gauge} (the step minus 1 ms)."""
    by: tuple[str, ...]

    def query(self, matchers: Sequence[str], step: int) -> str:
        return self.shape.format(
            by=", ".join(self.by),
            sel=self.selector.where(*matchers),
            step=f"{step}s",
            gauge=f"{step * 1000 - 1}ms",
        )


RATE = "sum by ({by}) (rate({sel}[{step}]))"
INCREASE = "sum by ({by}) (increase({sel}[{step}]))"
AVERAGE = "max by ({by}) (avg_over_time({sel}[{gauge}]))"
PEAK = "max by ({by}) (max_over_time({sel}[{gauge}]))"

CPU_SECONDS = Selector("container_cpu_usage_seconds_total", CADVISOR)
WORKING_SET = Selector("container_memory_working_set_bytes", CADVISOR)
REQUESTS = Selector("kube_pod_container_resource_requests")
LIMITS = Selector("kube_pod_container_resource_limits")
CAPACITY = Selector("kube_node_status_capacity", ('resource=~"cpu|memory"',))
ROUTER_REQUESTS = Selector("traefik_router_requests_total")
SERVICE_REQUESTS = Selector("traefik_service_requests_total")
NAMESPACES = Selector("kube_namespace_status_phase")
VOLUME_USED = Selector("kubelet_volume_stats_used_bytes")
VOLUME_LABELS = ("namespace", "persistentvolumeclaim")
DEFAULT_LOG_BYTES = "costplane_log_bytes_total"
CPU = 'resource="cpu"'
MEMORY = 'resource="memory"'


def container_fields(extra: Sequence[str]) -> tuple[Field, ...]:
    """The usage_samples columns, each its own query (`extra`: the --selector matchers)."""
    cpu = CPU_SECONDS.where(*extra)
    memory = WORKING_SET.where(*extra)
    requests, limits = REQUESTS.where(*extra), LIMITS.where(*extra)
    by = USAGE_LABELS
    return (
        Field("cpu_usage", "CPU usage", cpu, RATE, USAGE_LABELS),
        Field("memory_usage", "memory working set", memory, AVERAGE, USAGE_LABELS),
        Field("memory_peak", "memory working set peak", memory, PEAK, USAGE_LABELS),
        Field("cpu_request", "CPU requests", requests.where(CPU), AVERAGE, by),
        Field("cpu_limit", "CPU limits", limits.where(CPU), AVERAGE, by),
        Field("memory_request", "memory requests", requests.where(MEMORY), AVERAGE, by),
        Field("memory_limit", "memory limits", limits.where(MEMORY), AVERAGE, by),
    )


def capacity_field(extra: Sequence[str]) -> Field:
    return Field("capacity", "node capacity", CAPACITY.where(*extra), AVERAGE, ("node", "resource"))


def traefik_field(selector: Selector, label: str) -> Field:
    """Requests per router (or per Traefik service, when router metrics are off)."""
    return Field("requests", f"Traefik requests per {label}", selector, INCREASE, (label,))


def log_field(selector: Selector) -> Field:
    return Field("log_bytes", f"log bytes ({selector.metric})", selector, INCREASE, ("namespace",))


def volume_field(extra: Sequence[str]) -> Field:
    """Bytes used per claim: the step's peak, over the kubelets that report it (a volume
    mounted on several nodes has a series from each)."""
    return Field("volume_used", "volume use", VOLUME_USED.where(*extra), PEAK, VOLUME_LABELS)
