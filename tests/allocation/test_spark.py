"""The allocation on Spark: the expressions DuckDB runs, run by a local Spark session through
Ibis's pyspark backend, give the same allocation to the nano-unit (docs/scaling.md).

This is the path for users who outgrow one machine: the fact tables as Parquet
files (where a lake keeps them), the small tables handed over as Arrow, the
intermediate results stored as Spark tables. It needs pyspark (the `spark`
extra) and Java 17; without them the tests skip, except under
COSTPLANE_REQUIRE_SERVICES=1, where they fail.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from costplane.allocation import Window, compute
from costplane.allocation.engine import ALLOCATION_KEY, Inputs, allocation_table
from costplane.allocation.reconcile import billed_by_day
from costplane.allocation.run import FACT_INPUTS, small_tables
from costplane.catalog import Catalog, load_catalog
from costplane.sources import fleet_loads
from costplane.warehouse import Warehouse, connect_warehouse
from costplane_fleet import FleetSpec, generate_fleet

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    # PySpark reads query results from a local socket it leaves for the garbage collector
    # to close; Python reports that as a ResourceWarning, which is PySpark's to fix.
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <socket\.socket:pytest.PytestUnraisableExceptionWarning"
    ),
]

SPEC = FleetSpec(tenants=12, days=3, seed=5, start=dt.date(2026, 10, 1))
WINDOW = Window(SPEC.start, SPEC.start + dt.timedelta(days=SPEC.days))
KEY = ALLOCATION_KEY
MONEY = ("cost", "amortized_cost")
QUANTITIES = (
    "cpu_core_hours",
    "cpu_usage_core_hours",
    "memory_gib_hours",
    "memory_usage_gib_hours",
    "efficiency",
)
Rows = dict[tuple[Any, ...], dict[str, Any]]


def unavailable(why: str) -> NoReturn:
    message = f"Spark is not available: {why}"
    if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """One local Spark session for the module (it takes about 10 s to start)."""
    if importlib.util.find_spec("pyspark") is None:
        unavailable("pyspark is not installed (pip install -e '.[spark]')")
    if not java_found():
        unavailable("no java on PATH or in JAVA_HOME (Java 17: openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SPARK_LOCAL_IP", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
        started = (
            SparkSession.builder.master("local[2]")
            .appName("costplane-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
            .config("spark.local.dir", str(scratch / "local"))
            .getOrCreate()
        )
    started.sparkContext.setLogLevel("ERROR")
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def spark(session: SparkSession) -> ibis.BaseBackend:
    return ibis.pyspark.connect(session)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fleet") / "fleet"
    generate_fleet(SPEC, out)
    return out


@pytest.fixture(scope="module")
def catalog(fleet: Path) -> Catalog:
    return load_catalog(fleet / "costplane.yaml")


@pytest.fixture(scope="module")
def warehouse(
    fleet: Path, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    url = f"duckdb:///{tmp_path_factory.mktemp('duck') / 'warehouse.duckdb'}"
    with connect_warehouse(url) as opened:
        opened.ingest(fleet_loads(fleet, catalog.labels))
        yield opened


@pytest.fixture(scope="module")
def on_duckdb(warehouse: Warehouse, catalog: Catalog) -> Rows:
    return keyed(compute(warehouse, catalog, WINDOW).to_pyarrow())


def spark_inputs(
    session: SparkSession,
    spark: ibis.BaseBackend,
    warehouse: Warehouse,
    catalog: Catalog,
    folder: Path,
) -> Inputs:
    """The warehouse's fact tables as Parquet files read by Spark, and the small tables
    (days, dimensions, overhead) handed over as Arrow: what a user with a lake does."""
    facts = {}
    for name in FACT_INPUTS:
        path = folder / f"{name}.parquet"
        warehouse.ibis.to_parquet(warehouse.table(name), path)
        facts[name] = spark.read_parquet(str(path), table_name=name)

    def view(name: str, table: pa.Table) -> ir.Table:
        session.createDataFrame(table).createOrReplaceTempView(f"_costplane_{name}")
        return spark.table(f"_costplane_{name}")

    small = {
        name: view(name, table) for name, table in small_tables(warehouse, catalog, WINDOW).items()
    }
    return Inputs(**facts, **small)


@pytest.fixture(scope="module")
def on_spark(
    session: SparkSession,
    spark: ibis.BaseBackend,
    warehouse: Warehouse,
    catalog: Catalog,
    tmp_path_factory: pytest.TempPathFactory,
) -> Rows:
    inputs = spark_inputs(session, spark, warehouse, catalog, tmp_path_factory.mktemp("lake"))

    def stage(name: str, table: ir.Table) -> ir.Table:
        # Spark inlines every common table expression, so a shared part is stored as a
        # table instead (DuckDB and PostgreSQL use temporary tables; Spark has none).
        return spark.create_table(f"_costplane_{name}", table, overwrite=True)

    expr = allocation_table(inputs, catalog, stage)
    # Spark's own Arrow path: Ibis's pyspark `to_pyarrow` goes through pandas (int64
    # with NULLs as floats, and warnings under pandas 3).
    return keyed(spark.raw_sql(spark.compile(expr)).toArrow())


def keyed(table: pa.Table) -> Rows:
    rows = table.to_pylist()
    found = {tuple(row[k] for k in KEY): row for row in rows}
    assert len(found) == len(rows), "allocation rows are unique by their dimensions"
    return found


def test_spark_finds_the_same_allocation_rows(on_duckdb: Rows, on_spark: Rows) -> None:
    assert len(on_duckdb) > 100
    assert on_spark.keys() == on_duckdb.keys()


def test_spark_money_is_identical_to_the_nano_unit(on_duckdb: Rows, on_spark: Rows) -> None:
    different = [
        (key, column, row[column], on_spark[key][column])
        for key, row in on_duckdb.items()
        for column in MONEY
        if on_spark[key][column] != row[column]
    ]
    assert different == []
    for column in MONEY:
        total = sum((row[column] for row in on_spark.values()), Decimal(0))
        assert total == sum((row[column] for row in on_duckdb.values()), Decimal(0))


def test_spark_quantities_agree(on_duckdb: Rows, on_spark: Rows) -> None:
    for key, row in on_duckdb.items():
        for column in QUANTITIES:
            if row[column] is None:
                assert on_spark[key][column] is None, (key, column)
            else:
                assert on_spark[key][column] == pytest.approx(row[column], rel=1e-9), (key, column)


def test_spark_places_the_whole_bill_each_day(on_spark: Rows, warehouse: Warehouse) -> None:
    placed: dict[dt.date, Decimal] = {}
    for row in on_spark.values():
        if row["source"] == "bill":
            placed[row["day"]] = placed.get(row["day"], Decimal(0)) + row["cost"]
    billed = billed_by_day(warehouse, WINDOW)
    assert set(billed) == set(WINDOW.days())
    assert placed == billed
