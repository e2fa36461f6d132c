"""Kubernetes resource quantities ("500m", "4Gi", "1.5", "2e3") as exact decimals.

Cloud Custodian compares "500m" > 2 as strings and reads "4000m" as 0.0; here a
quantity is always turned into the number it means before anything compares it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exponent>[eE][+-]?\d+)|(?P<decimal>[numkMGTPE]?))$"
)

GIB = 2**30


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """The exact value of a Kubernetes quantity; ValueError names what is wrong."""
    if isinstance(text, bool):
        raise ValueError(f"not a quantity: {text!r}")
    if isinstance(text, int | Decimal):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(str(text))
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {text!r} (expected e.g. 500m, 2, 4Gi)")
    try:
        number = Decimal(match["number"])
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"not a Kubernetes quantity: {text!r}") from exc
    if match["binary"]:
        return number * _BINARY[match["binary"]]
    if match["exponent"]:
        return number.scaleb(int(match["exponent"][1:]))
    return number * _DECIMAL[match["decimal"] or ""]


def cpu_cores(text: str | int | Decimal) -> Decimal:
    """CPU quantity in cores ("250m" -> 0.25)."""
    return parse_quantity(text)


def memory_bytes(text: str | int | Decimal) -> int:
    """Memory or storage quantity in bytes, rounded up to a whole byte as the kubelet does."""
    value = parse_quantity(text)
    whole = int(value)
    return whole if whole == value else whole + 1


def cpu_quantity(cores: Decimal) -> str:
    """Cores as Kubernetes writes a CPU request: whole cores bare ("2"), else millicores
    ("250m"); a fraction of a millicore is rounded up, as a request must cover it."""
    millis = cores * 1000
    whole = int(millis)
    whole = whole if whole == millis else whole + 1
    return str(whole // 1000) if whole % 1000 == 0 else f"{whole}m"


def memory_quantity(size: int) -> str:
    """Bytes as the largest binary unit that divides them exactly ("1536Mi", "2Gi", "100")."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _BINARY[suffix]
        if size and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def quantity_or_zero(value: object) -> Decimal:
    """A quantity as an object carries it, where an unreadable value counts as nothing: what
    pricing a manifest as found needs (a bad quantity is for the policies to report)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return Decimal(0)
    try:
        return parse_quantity(value)
    except (ValueError, ArithmeticError):
        return Decimal(0)


def pod_requests(pod_spec: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """(CPU cores, memory bytes) a pod spec's containers request; what cannot be read adds 0."""
    cores = memory = Decimal(0)
    containers = pod_spec.get("containers")
    for container in containers if isinstance(containers, list) else ():
        resources = container.get("resources") if isinstance(container, Mapping) else None
        requests = resources.get("requests") if isinstance(resources, Mapping) else None
        if not isinstance(requests, Mapping):
            continue
        cores += quantity_or_zero(requests.get("cpu"))
        memory += quantity_or_zero(requests.get("memory"))
    return cores, memory
