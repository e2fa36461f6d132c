"""The tenant population: who the customers are, what they bought and how they work.

Names come from word lists and a seeded generator; class counts are
stratified (largest remainder) so a small fleet still has every class.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from costplane.catalog import EnvironmentKind, Tenancy
from costplane_fleet.offering import CLASS_SHARES, SERVICE_CLASSES
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng

SHARED_CLUSTER = "eu-shared-1"
DEDICATED_CLUSTER = "eu-dedicated-1"
CLUSTERS = (SHARED_CLUSTER, DEDICATED_CLUSTER)

_FIRST = [
    "Nordhafen",
    "Alpen",
    "Rhein",
    "Baltic",
    "Hansa",
    "Atlas",
    "Delta",
    "Falken",
    "Kessler",
    "Meridian",
    "Orion",
    "Polar",
    "Vireo",
    "Iberia",
    "Lumen",
    "Brenner",
    "Elbe",
    "Weser",
    "Mosel",
    "Danube",
    "Tatra",
    "Fjord",
    "Lago",
    "Sierra",
    "Cobalt",
    "Granit",
    "Linden",
    "Eiche",
    "Birken",
    "Adler",
    "Kranich",
    "Condor",
    "Merkur",
    "Vega",
    "Sirius",
    "Helix",
    "Quadra",
    "Trident",
    "Arcadia",
    "Borealis",
    "Castell",
    "Dorado",
    "Estrel",
    "Ferro",
    "Gallo",
    "Harbor",
    "Isar",
    "Jura",
    "Kappa",
    "Lynx",
    "Marlin",
    "Nova",
    "Oder",
    "Pinto",
    "Quercus",
    "Riviera",
    "Saxon",
    "Tamar",
    "Ultra",
    "Varta",
    "Wessel",
    "Zenit",
    "Alster",
    "Brabant",
    "Calder",
    "Dover",
    "Emden",
    "Flandria",
    "Garda",
    "Hafen",
    "Inntal",
    "Jadebay",
    "Kiel",
    "Lomond",
    "Maas",
    "Neckar",
    "Ostsee",
    "Pommern",
    "Ruhr",
    "Schelde",
]
_SECOND = [
    "Logistik",
    "Distribution",
    "Handel",
    "Supply",
    "Wholesale",
    "Trading",
    "Foods",
    "Parts",
    "Pharma",
    "Industrial",
    "Beverages",
    "Fasteners",
    "Electrical",
    "Hygiene",
    "Packaging",
    "Textiles",
    "Agrar",
    "Tools",
    "Office",
    "Medical",
    "Chemicals",
    "Cold-Chain",
    "Spares",
    "Hardware",
    "Garden",
    "Pet-Supplies",
    "Plumbing",
    "Bearings",
    "Paper",
    "Cargo",
]

_COUNTRIES = (
    ("DE", "Europe/Berlin", ("GmbH", "GmbH & Co. KG", "AG"), 0.34),
    ("NL", "Europe/Amsterdam", ("B.V.",), 0.12),
    ("FR", "Europe/Paris", ("S.A.S.", "SARL"), 0.11),
    ("AT", "Europe/Vienna", ("GmbH",), 0.07),
    ("BE", "Europe/Brussels", ("NV", "SRL"), 0.05),
    ("PL", "Europe/Warsaw", ("Sp. z o.o.",), 0.08),
    ("GB", "Europe/London", ("Ltd",), 0.08),
    ("IE", "Europe/Dublin", ("Ltd",), 0.03),
    ("ES", "Europe/Madrid", ("S.L.",), 0.05),
    ("IT", "Europe/Rome", ("S.r.l.", "S.p.A."), 0.04),
    ("SE", "Europe/Stockholm", ("AB",), 0.03),
)

PROFILES = ("steady", "month-end", "seasonal", "edi-bursty")
INTEGRATIONS = ("edi", "webshop", "carrier", "marketplace")

_DEV_SHARE = {
    "shared-standard": 0.6,
    "shared-plus": 0.8,
    "dedicated": 1.0,
    "dedicated-regulated": 1.0,
}
_ORDERS = {  # median orders per working day, lognormal sigma
    "shared-standard": (45.0, 0.6),
    "shared-plus": (160.0, 0.5),
    "dedicated": (700.0, 0.5),
    "dedicated-regulated": (1100.0, 0.45),
}
_MODULES = {
    "shared-standard": (0, 3),
    "shared-plus": (2, 10),
    "dedicated": (10, 40),
    "dedicated-regulated": (15, 60),
}
DEDICATED_GROUP = 4
"""Dedicated (not regulated) tenants share a production node pool in groups of this size."""


@dataclass(frozen=True)
class TenantProfile:
    """One customer and everything that drives its infrastructure and business volume."""

    index: int
    id: str
    name: str
    country: str
    time_zone: str
    service_class: str
    environments: tuple[EnvironmentKind, ...]
    workload_profile: str
    orders_per_day: float
    seasonal_peak_day: int
    edi_hours: tuple[int, ...]
    integrations: tuple[str, ...]
    custom_modules: int
    contract_start: dt.date
    monthly_fee: Decimal | None
    size: float
    hpa: bool
    postgres_server: str
    redis_server: str
    prod_pool: str
    nonprod_pool: str
    db_fill: float
    """Where in its class's database band the production database ends (0..1)."""

    @property
    def tenancy(self) -> Tenancy:
        return SERVICE_CLASSES[self.service_class].tenancy

    @property
    def cluster(self) -> str:
        return SHARED_CLUSTER if self.tenancy is Tenancy.SHARED else DEDICATED_CLUSTER

    @property
    def queue_worker(self) -> bool:
        """EDI tenants above the standard class run a separate queue_job worker."""
        return "edi" in self.integrations and self.service_class != "shared-standard"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _class_counts(n: int) -> list[str]:
    raw = {k: v * n for k, v in CLASS_SHARES.items()}
    counts = {k: int(v) for k, v in raw.items()}
    by_remainder = sorted(raw, key=lambda k: (-(raw[k] - counts[k]), list(raw).index(k)))
    for k in by_remainder[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k in CLASS_SHARES for _ in range(counts[k])]


def tenant_population(spec: FleetSpec) -> tuple[TenantProfile, ...]:
    """N tenants, deterministic for the seed; ids unique, DNS-label shaped and short."""
    r = rng(spec.seed, "tenants")
    classes = np.array(_class_counts(spec.tenants))
    r.shuffle(classes)
    weights = np.array([c[3] for c in _COUNTRIES])
    countries = r.choice(len(_COUNTRIES), size=spec.tenants, p=weights / weights.sum())
    seen: set[str] = set()
    shared_seq = 0
    dedicated_seq = 0
    tenants: list[TenantProfile] = []
    for i in range(spec.tenants):
        cls = str(classes[i])
        first, second = _FIRST[r.integers(len(_FIRST))], _SECOND[r.integers(len(_SECOND))]
        base = _slug(f"{first}-{second}")
        tenant_id, k = base, 1
        while tenant_id in seen:
            k += 1
            tenant_id = f"{base}-{k}"
        seen.add(tenant_id)
        code, zone, forms, _ = _COUNTRIES[int(countries[i])]
        legal = forms[r.integers(len(forms))]
        name = f"{first} {second.replace('-', ' ')} {legal}"
        envs = [EnvironmentKind.PRODUCTION]
        quota = SERVICE_CLASSES[cls].quota
        if EnvironmentKind.STAGING in quota:
            envs.append(EnvironmentKind.STAGING)
        if r.random() < _DEV_SHARE[cls]:
            envs.append(EnvironmentKind.DEVELOPMENT)
        if EnvironmentKind.DR in quota:
            envs.append(EnvironmentKind.DR)
        integrations = tuple(
            x for x, p in zip(INTEGRATIONS, (0.4, 0.45, 0.6, 0.2), strict=True) if r.random() < p
        )
        profile_p = np.array([0.4, 0.3, 0.15, 0.15])
        if "edi" in integrations:
            profile_p = np.array([0.2, 0.2, 0.1, 0.5])
        profile = PROFILES[int(r.choice(4, p=profile_p))]
        median, sigma = _ORDERS[cls]
        orders = float(median * np.exp(r.normal(0, sigma)))
        lo, hi = _MODULES[cls]
        fee: Decimal | None = None
        if SERVICE_CLASSES[cls].tenancy is Tenancy.DEDICATED and r.random() < 0.4:
            base_fee = SERVICE_CLASSES[cls].monthly_fee
            fee = (base_fee * Decimal(str(round(0.85 + 0.35 * r.random(), 2)))).quantize(
                Decimal("1")
            )
        edi = tuple(sorted({int(h) for h in r.choice([2, 5, 8, 11, 14, 17, 20, 22], size=3)}))
        size = float(r.choice([1.0, 1.25, 1.5])) if cls.startswith("dedicated") else 1.0
        if cls == "dedicated-regulated":
            prod_pool = f"tenant-{tenant_id}"[:40]
            nonprod_pool = prod_pool
        elif cls == "dedicated":
            prod_pool = f"dedicated-{dedicated_seq // DEDICATED_GROUP + 1:03d}"
            nonprod_pool = "nonprod"
            dedicated_seq += 1
        else:
            prod_pool, nonprod_pool = "prod", "nonprod"
        if SERVICE_CLASSES[cls].tenancy is Tenancy.SHARED:
            pg = f"pg-shared-{shared_seq // 40 + 1:02d}"
            redis = f"redis-shared-{shared_seq // 100 + 1:02d}"
            shared_seq += 1
        else:
            pg, redis = f"pg-{tenant_id}", f"redis-{tenant_id}"
        tenants.append(
            TenantProfile(
                index=i,
                id=tenant_id,
                name=name,
                country=code,
                time_zone=zone,
                service_class=cls,
                environments=tuple(envs),
                workload_profile=profile,
                orders_per_day=orders,
                seasonal_peak_day=int(r.choice([60, 120, 170, 290, 330])),
                edi_hours=edi,
                integrations=integrations,
                custom_modules=int(r.integers(lo, hi + 1)),
                contract_start=spec.start - dt.timedelta(days=int(r.integers(60, 1500))),
                monthly_fee=fee,
                size=size,
                hpa=cls != "shared-standard" and r.random() < 0.35,
                postgres_server=pg,
                redis_server=redis,
                prod_pool=prod_pool,
                nonprod_pool=nonprod_pool,
                db_fill=float(0.15 + 0.65 * r.random()),
            )
        )
    return tuple(tenants)
