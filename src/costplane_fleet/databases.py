"""PostgreSQL statistics per tenant database, one snapshot a day at 00:00 UTC (table
database_stats), growing with the tenant's business volume in one of the shapes of
growth.py (linear, accelerating, a data import, flat).

Snapshots are taken at the end of each generated day, so the last one is the
window's end. Production databases end where the tenant sits in its class's
sizing band (above it where database-over-band is planted); staging and
development hold sanitised copies, DR a physical replica. Odoo keeps
attachments in the object-storage file store, so attachment rows have
db_bytes = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from costplane.catalog import EnvironmentKind
from costplane.warehouse import FACT_TABLES
from costplane_fleet.growth import GrowthShape, choose_shape, size_history
from costplane_fleet.offering import POSTGRES_SKUS, SERVICE_CLASSES, ManagedSku
from costplane_fleet.planted import Plants, plant_factor
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import TenantProfile
from costplane_fleet.workloads import ENV_SUFFIX, GI

BYTES_PER_ORDER = 180_000
"""Database growth per confirmed order, all tables and indexes: how far below the end the
sanitised copies (staging, development) stand, and the backup bucket's growth, both as
they were before the growth shapes, so the bill is what it was."""

# relation, share of database size, bytes per row
TABLES = (
    ("stock_move", 0.14, 900),
    ("stock_move_line", 0.16, 700),
    ("account_move_line", 0.18, 800),
    ("mail_message", 0.10, 1200),
    ("mail_tracking_value", 0.05, 250),
    ("ir_attachment", 0.02, 600),
    ("sale_order_line", 0.07, 900),
    ("purchase_order_line", 0.04, 900),
    ("stock_quant", 0.02, 300),
    ("product_product", 0.01, 400),
)
INDEXES = (
    ("stock_move_product_location_index", 0.03, 40),
    ("account_move_line_partner_id_index", 0.025, 32),
    ("mail_message_model_res_id_idx", 0.02, 36),
)
# res_model, attachments per order, average logical bytes
ATTACHMENTS = (
    ("account.move", 0.92, 85_000),
    ("sale.order", 0.30, 120_000),
    ("stock.picking", 1.04, 60_000),
    ("mail.message", 0.20, 200_000),
    ("product.template", 0.0, 150_000),
)
PHYSICAL_RATIO = 0.93
"""The file store deduplicates by checksum: physical bytes are a little below logical."""
_COPY = {EnvironmentKind.STAGING: 0.5, EnvironmentKind.DEVELOPMENT: 0.1, EnvironmentKind.DR: 1.0}


@dataclass(frozen=True)
class Database:
    server: str
    name: str
    tenant: TenantProfile
    environment: EnvironmentKind


@dataclass(frozen=True)
class DatabaseStats:
    table: pa.Table
    databases: list[Database]
    size_bytes: np.ndarray
    """(databases, days) database size at each snapshot."""
    stored_bytes: np.ndarray
    """(tenants, days) physical attachment bytes in the file store per tenant."""
    servers: dict[str, tuple[ManagedSku, int, TenantProfile | None]]
    """server -> (SKU, provisioned GiB, owning tenant for dedicated servers)."""
    shapes: dict[str, GrowthShape]
    """tenant -> how its production database grew (growth.json)."""
    backup_growth: np.ndarray
    """(days,) the summed size of every database by business volume alone: how the backup
    bucket grows in the bill (unchanged by the growth shapes)."""


def database_name(tenant: str, environment: EnvironmentKind) -> str:
    return f"{tenant}_{ENV_SUFFIX[environment]}"


def server_of(t: TenantProfile, environment: EnvironmentKind) -> str:
    return f"{t.postgres_server}-dr" if environment is EnvironmentKind.DR else t.postgres_server


def generate_databases(
    tenants: tuple[TenantProfile, ...],
    counts: dict[str, np.ndarray],
    plants: Plants,
    sleeping_at_midnight: dict[tuple[str, EnvironmentKind], bool],
    spec: FleetSpec,
) -> DatabaseStats:
    r = rng(spec.seed, "databases")
    n_days = spec.days
    orders = counts["orders_confirmed"].astype(np.float64)
    after = np.cumsum(orders[:, ::-1], axis=1)[:, ::-1] - orders  # orders after each snapshot
    databases: list[Database] = []
    sizes: list[np.ndarray] = []
    conns: list[np.ndarray] = []
    history_orders: list[np.ndarray] = []
    shapes: dict[str, GrowthShape] = {}
    by_volume: list[np.ndarray] = []
    noise = rng(spec.seed, "databases", "growth-noise")
    for i, t in enumerate(tenants):
        band = SERVICE_CLASSES[t.service_class].database_band_gib
        end_gib = band.min_gib + t.db_fill * (band.max_gib - band.min_gib)
        if plants.has("database-over-band", t.id):
            end_gib = band.max_gib * plant_factor(spec, "database-over-band", t.id, 1.08, 1.35)
        end_bytes = end_gib * GI
        volume_size = np.maximum(end_bytes - BYTES_PER_ORDER * after[i], end_bytes * 0.5)
        shapes[t.id] = choose_shape(spec, t.id, n_days)
        prod_size = size_history(shapes[t.id], end_bytes, orders[i], noise)
        age_days = (spec.end_at.date() - t.contract_start).days
        hist = t.orders_per_day * 0.78 * age_days - after[i]
        for env in t.environments:
            databases.append(Database(server_of(t, env), database_name(t.id, env), t, env))
            copy = _COPY.get(env)
            size = prod_size if copy is None else np.full(n_days, volume_size[0] * copy)
            if env is EnvironmentKind.DR:
                size = prod_size
            sizes.append(np.rint(size))
            by_volume.append(np.rint(volume_size if copy in (None, 1.0) else size))
            sc = SERVICE_CLASSES[t.service_class]
            web = sc.ha_replicas if env is EnvironmentKind.PRODUCTION else 1
            total = web * 6 + 3 + (3 if t.queue_worker and env is EnvironmentKind.PRODUCTION else 0)
            if sleeping_at_midnight.get((t.id, env), False):
                total = 0
            conns.append(np.full(n_days, total))
            history_orders.append(np.maximum(hist, 0.0))
    size = np.vstack(sizes)
    connections = np.vstack(conns).astype(np.int64)
    hist_orders = np.vstack(history_orders)
    is_prod = np.array([d.environment is EnvironmentKind.PRODUCTION for d in databases])

    # relations: database, tables, indexes, attachments (production only)
    rel_names = (
        ["database"]
        + [x[0] for x in TABLES]
        + [x[0] for x in INDEXES]
        + [x[0] for x in ATTACHMENTS]
    )
    rel_kinds = (
        ["database"]
        + ["table"] * len(TABLES)
        + ["index"] * len(INDEXES)
        + ["attachments"] * len(ATTACHMENTS)
    )
    n_rel = len(rel_names)
    n_db = len(databases)
    shape = (n_db, n_days, n_rel)
    size_b = np.zeros(shape, dtype=np.int64)
    rows_c = np.zeros(shape, dtype=np.int64)
    scans = np.zeros(shape, dtype=np.int64)
    logical = np.zeros(shape, dtype=np.int64)
    size_b[:, :, 0] = size
    k = 1
    for _, share, row_bytes in TABLES:
        rows_c[:, :, k] = np.floor(size * share / row_bytes)
        size_b[:, :, k] = rows_c[:, :, k] * row_bytes
        k += 1
    scans_per_day = r.uniform(2e4, 4e5, (n_db, len(INDEXES)))
    for j, (_, share, _) in enumerate(INDEXES):
        size_b[:, :, k] = np.rint(size * share)
        scans[:, :, k] = np.rint(
            scans_per_day[:, j, None] * (120 + np.arange(1, n_days + 1))[None, :]
        )
        k += 1
    products = r.integers(2_000, 20_000, n_db)
    for per_order, avg in ((x[1], x[2]) for x in ATTACHMENTS):
        count = (
            np.floor(hist_orders * per_order)
            if per_order
            else np.repeat(products[:, None], n_days, 1)
        )
        rows_c[:, :, k] = count
        logical[:, :, k] = count * avg
        size_b[:, :, k] = np.rint(count * avg * PHYSICAL_RATIO)
        k += 1
    keep = np.ones(shape, dtype=bool)
    keep[~is_prod, :, 1 + len(TABLES) + len(INDEXES) :] = False
    bloat = np.rint(size_b * 0.05).astype(np.int64)

    db_i, day_i, rel_i = np.nonzero(keep)
    kind_arr = np.array(rel_kinds)[rel_i]
    att = kind_arr == "attachments"
    tab = kind_arr == "table"
    idx = kind_arr == "index"
    dbr = kind_arr == "database"
    taken = (spec.start_epoch + (day_i.astype(np.int64) + 1) * 86400) * 1_000_000

    def d(values: list[str], index: np.ndarray) -> pa.DictionaryArray:
        unique = sorted(set(values))
        code = {v: k for k, v in enumerate(unique)}
        remap = np.array([code[v] for v in values], dtype=np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(remap[index]), pa.array(unique))

    def masked(values: np.ndarray, where: np.ndarray) -> pa.Array:
        return pa.array(values, mask=~where)

    servers = sorted({x.server for x in databases})
    server_code = {server: k for k, server in enumerate(servers)}
    server_idx = np.array([server_code[x.server] for x in databases], dtype=np.int64)
    tenant_ids = [t.id for t in tenants]
    tenant_code = {tid: k for k, tid in enumerate(tenant_ids)}
    trow = np.array([tenant_code[x.tenant.id] for x in databases], dtype=np.int64)
    env_names = [e.value for e in EnvironmentKind]
    env_idx = np.array([env_names.index(x.environment.value) for x in databases], dtype=np.int64)

    def v(a: np.ndarray) -> np.ndarray:
        """Per output row (database, day, relation): its value in a (db, day, rel) array."""
        return np.asarray(a[db_i, day_i, rel_i])

    table = pa.table(
        {
            "taken_at": pa.array(taken, pa.timestamp("us")),
            "server": d(servers, server_idx[db_i]),
            "database": d([x.name for x in databases], db_i),
            "tenant": d(tenant_ids, trow[db_i]),
            "environment": d(env_names, env_idx[db_i]),
            "relation_kind": d(rel_kinds, rel_i),
            "relation": d(rel_names, rel_i),
            "size_bytes": pa.array(v(size_b)),
            "row_count": masked(v(rows_c), tab | att),
            "row_count_exact": masked(np.ones(len(db_i), dtype=bool), tab | att),
            "index_scans": masked(v(scans), idx),
            "bloat_bytes": masked(v(bloat), tab | idx),
            "logical_bytes": masked(v(logical), att),
            "db_bytes": masked(np.zeros(len(db_i), dtype=np.int64), att),
            "connections": masked(connections[db_i, day_i], dbr),
            "idle_connections": masked(
                np.rint(connections[db_i, day_i] * 0.6).astype(np.int64), dbr
            ),
        }
    )
    assert tuple(table.column_names) == FACT_TABLES["database_stats"].schema.names

    att_start = 1 + len(TABLES) + len(INDEXES)
    stored = np.zeros((len(tenants), n_days))
    prod_rows = np.flatnonzero(is_prod)
    np.add.at(stored, trow[prod_rows], size_b[prod_rows, :, att_start:].sum(axis=2))

    server_info: dict[str, tuple[ManagedSku, int, TenantProfile | None]] = {}
    end_size = size[:, -1]
    members_of: dict[str, list[int]] = {}
    for j, x in enumerate(databases):
        members_of.setdefault(x.server, []).append(j)
    for s in servers:
        members = members_of[s]
        owner = databases[members[0]].tenant
        shared = s.startswith("pg-shared-")
        if shared:
            sku = POSTGRES_SKUS["db.r7n.2xlarge"]
        elif owner.service_class == "dedicated-regulated" and not s.endswith("-dr"):
            sku = POSTGRES_SKUS["db.m7n.2xlarge"]
        else:
            sku = POSTGRES_SKUS["db.m7n.xlarge"]
        gib = int(math.ceil(float(end_size[members].sum()) * 1.4 / GI / 50) * 50)
        server_info[s] = (sku, max(gib, 100), None if shared else owner)
    backup_growth = np.vstack(by_volume).sum(axis=0)
    return DatabaseStats(table, databases, size, stored, server_info, shapes, backup_growth)
