"""Writes `costplane.yaml`: the four service classes, the price sheet, every tenant with its
contract and environments, and budgets sized from the generated bill."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from costplane.catalog import Catalog
from costplane.written_file import write_text
from costplane_fleet.databases import database_name, server_of
from costplane_fleet.offering import CURRENCY, PRICE_SHEET, REGION, SERVICE_CLASSES
from costplane_fleet.tenants import TenantProfile
from costplane_fleet.workloads import namespace_name

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _key(key: object) -> str:
    text = str(key)
    if _PLAIN_KEY.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: object) -> str:
    """Strings (money, times, quantities) are double-quoted so YAML never reads them as numbers;
    JSON's string escapes are YAML's."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _yaml(value: object, indent: str = "") -> Iterator[str]:
    """Block-style YAML lines for plain data (dicts, lists, scalars), as ruamel writes it:
    mappings indented by two, sequence items at their key's indentation."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                yield f"{indent}{_key(key)}:"
                yield from _yaml(item, indent + ("  " if isinstance(item, dict) else ""))
            else:
                empty = "{}" if isinstance(item, dict) else "[]"
                text = empty if isinstance(item, dict | list) else _scalar(item)
                yield f"{indent}{_key(key)}: {text}"
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                lines = _yaml(item, indent + "  ")
                yield f"{indent}- {next(lines).removeprefix(indent + '  ')}"
                yield from lines
            else:
                yield f"{indent}- {_scalar(item)}"
    else:
        yield f"{indent}{_scalar(value)}"


BRANDING = {
    "name": "Nordlicht ERP Hosting (synthetic)",
    "address": ["Hafenstraße 1", "20457 Hamburg", "Germany"],
}
"""The synthetic provider's letterhead on statements and board reports (no logo: the demo
copies the catalog alone into the project)."""

REGULATED = {"regulated_sector": "pharmaceutical wholesale (EU GDP)", "residency_required": True}
"""The compliance flags of the regulated class's tenants (the catalog's placement reads them)."""


def build_catalog(
    tenants: tuple[TenantProfile, ...], monthly_bill: Decimal, class_share: dict[str, Decimal]
) -> Catalog:
    body: dict[str, Any] = {
        "version": 1,
        "currency": CURRENCY,
        "service_classes": {
            k: v.model_dump(mode="json", exclude_defaults=False) for k, v in SERVICE_CLASSES.items()
        },
        "price_sheet": PRICE_SHEET.model_dump(mode="json"),
        "branding": BRANDING,
        "tenants": [
            {
                "id": t.id,
                "name": t.name,
                "service_class": t.service_class,
                "region": REGION,
                "custom_modules": t.custom_modules,
                "integrations": list(t.integrations),
                **({"compliance": REGULATED} if t.service_class == "dedicated-regulated" else {}),
                "contracts": [
                    {
                        "start": t.contract_start.isoformat(),
                        **(
                            {"monthly_fee": str(t.monthly_fee)} if t.monthly_fee is not None else {}
                        ),
                    }
                ],
                "environments": {
                    env.value: {
                        "namespaces": [namespace_name(t.id, env)],
                        "databases": [database_name(t.id, env)],
                    }
                    for env in t.environments
                },
            }
            for t in tenants
        ],
        "budgets": [
            {"id": "platform-total", "monthly_amount": str(_round(monthly_bill * Decimal("1.10")))},
            *(
                {
                    "id": f"class-{k}",
                    "scope": {"service_class": k},
                    "monthly_amount": str(_round(monthly_bill * share * Decimal("1.10"))),
                }
                for k, share in class_share.items()
                if share > 0
            ),
            {
                "id": "observability",
                "scope": {"cost_domain": "observability"},
                "monthly_amount": str(_round(monthly_bill * Decimal("0.08"))),
            },
        ],
    }
    _ = server_of
    return Catalog.model_validate(body)


def _round(x: Decimal) -> Decimal:
    return x.quantize(Decimal("1"), ROUND_HALF_UP) if x >= 1 else Decimal("1")


def write_catalog(catalog: Catalog, path: Path) -> None:
    data = catalog.model_dump(mode="json", exclude_defaults=True)
    data = {"version": 1, **data}
    lines = [
        "# Generated by `costplane generate fleet`; the synthetic provider's commercial truth.",
        *_yaml(data),
    ]
    write_text(path, "\n".join(lines) + "\n")
