"""What `costplane catalog validate` tells a user about each kind of mistake, and where."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.catalog import EnvironmentKind, load_catalog, parse_catalog
from costplane.errors import InputError, InputProblemsError

FIXTURES = Path(__file__).parent / "fixtures"
Edit = Callable[[str, str], str]
Problems = Callable[[str], list[str]]

MISTAKES = [
    pytest.param(
        "    monthly_fee: 450.10",
        "    monthy_fee: 450.10",
        [
            "costplane.yaml:3:3: service_classes.shared: missing required key 'monthly_fee'",
            "costplane.yaml:19:5: service_classes.shared: unknown key 'monthy_fee'"
            " (did you mean 'monthly_fee'?)",
        ],
        id="unknown-key",
    ),
    pytest.param(
        "budgets:",
        "budget:",
        ["costplane.yaml:53:1: unknown key 'budget' (did you mean 'budgets'?)"],
        id="unknown-top-level-key",
    ),
    pytest.param(
        "log_retention_days: 14",
        "log_retention_days: two weeks",
        [
            "costplane.yaml:10:25: service_classes.shared.log_retention_days:"
            " expected a whole number, got 'two weeks'"
        ],
        id="wrong-type",
    ),
    pytest.param(
        "    name: Acme Wholesale",
        "    name: [Acme Wholesale]",
        ["costplane.yaml:35:11: tenants[0].name: expected text, got a list"],
        id="list-instead-of-text",
    ),
    pytest.param(
        "production: {cpu: 2, memory: 8Gi}",
        "production: {cpu: 2, memory: 4Gx}",
        [
            "costplane.yaml:6:36: service_classes.shared.quota.production.memory:"
            " not a Kubernetes quantity: '4Gx' (expected e.g. 500m, 2, 4Gi)"
        ],
        id="bad-quantity",
    ),
    pytest.param(
        "cpu: {amount: 23, unit: core-month}",
        "cpu: {amount: 23, unit: GiB-month}",
        [
            "costplane.yaml:21:27: price_sheet.cpu.unit: unit 'GiB-month' does not fit this"
            " price: expected core-<hour|day|month|year>"
        ],
        id="cpu-price-per-byte",
    ),
    pytest.param(
        "egress: {amount: 0.08, unit: GB}",
        "egress: {amount: 0.08, unit: GB-month}",
        [
            "costplane.yaml:32:32: price_sheet.egress.unit: unit 'GB-month' does not fit this"
            " price: expected <MiB|GiB|TiB|MB|GB|TB> with no period, e.g. GiB"
        ],
        id="egress-price-with-period",
    ),
    pytest.param(
        "amount: 0.19,",
        "amount: abc,",
        [
            "costplane.yaml:25:30: price_sheet.database_storage.amount:"
            " expected a decimal amount, got 'abc'"
        ],
        id="amount-not-a-number",
    ),
    pytest.param(
        "monthly_fee: 450.10",
        "monthly_fee: .inf",
        [
            "costplane.yaml:19:18: service_classes.shared.monthly_fee:"
            " expected a finite number, got '.inf'"
        ],
        id="infinite-money",
    ),
    pytest.param(
        "Europe/Berlin",
        "Europe/Berln",
        [
            "costplane.yaml:17:18: service_classes.shared.sleep_schedule.time_zone:"
            " unknown IANA time zone 'Europe/Berln'"
        ],
        id="unknown-time-zone",
    ),
    pytest.param(
        "weekdays: [mon, tue, wed, thu, fri]",
        "weekdays: [mon, tue, wednesday, thu, fri]",
        [
            "costplane.yaml:14:28: service_classes.shared.sleep_schedule.weekdays[2]: expected"
            " one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun', got 'wednesday'"
        ],
        id="wrong-list-item",
    ),
    pytest.param(
        "{min_gib: 0, max_gib: 40}",
        "{min_gib: 50, max_gib: 40}",
        [
            "costplane.yaml:8:5: service_classes.shared.database_band_gib:"
            " min_gib 50 is above max_gib 40"
        ],
        id="band-min-above-max",
    ),
    pytest.param(
        "staging: {cpu: 500m",
        "stage: {cpu: 500m",
        [
            "costplane.yaml:7:7: service_classes.shared.quota: key 'stage': expected one of"
            " 'production', 'staging', 'development' or 'dr', got 'stage'"
        ],
        id="unknown-environment-kind",
    ),
    pytest.param(
        "currency: EUR\n",
        "",
        ["costplane.yaml:1:1: missing required key 'currency'"],
        id="missing-currency",
    ),
    pytest.param(
        "currency: EUR",
        "currency: euro",
        [
            "costplane.yaml:1:11: currency: expected a three-letter ISO 4217 currency code in"
            " capitals, such as EUR, got 'euro'"
        ],
        id="bad-currency",
    ),
    pytest.param(
        "      - start: 2025-01-01\n    environments:\n      production: {namespaces: [acme",
        "      - start: 2025-02-30\n    environments:\n      production: {namespaces: [acme",
        [
            "costplane.yaml:39:16: tenants[0].contracts[0].start:"
            " expected a real calendar date, got '2025-02-30'"
        ],
        id="impossible-date",
    ),
    pytest.param(
        "    service_class: shared\n    region: eu-de\n    contracts:\n      - start: 2024",
        "    service_class: shared-plus\n    region: eu-de\n    contracts:\n      - start: 2024",
        [
            "costplane.yaml:45:20: tenants[1].service_class:"
            " unknown service class 'shared-plus' (did you mean 'shared'?)"
        ],
        id="unknown-service-class",
    ),
    pytest.param(
        "        end: 2025-01-01",
        "        end: 2025-03-01",
        [
            "costplane.yaml:50:9: tenants[1].contracts[1]:"
            " overlaps contracts[0]: both cover 2025-01-01 to 2025-02-28"
        ],
        id="overlapping-contracts",
    ),
    pytest.param(
        "  - id: globex",
        "  - id: acme",
        ["costplane.yaml:43:9: tenants[1].id: tenant id 'acme' is already used by tenants[0]"],
        id="duplicate-tenant-id",
    ),
    pytest.param(
        "  - id: platform",
        "  - id: acme",
        ["costplane.yaml:56:9: budgets[1].id: budget id 'acme' is already used by budgets[0]"],
        id="duplicate-budget-id",
    ),
    pytest.param(
        "[globex-prod]",
        "[acme-prod]",
        [
            "costplane.yaml:52:33: tenants[1].environments.production.namespaces[0]:"
            " namespace 'acme-prod' is already claimed by tenant 'acme' (production)"
        ],
        id="duplicate-namespace",
    ),
    pytest.param(
        "[globex_prod]",
        "[acme_staging]",
        [
            "costplane.yaml:52:59: tenants[1].environments.production.databases[0]:"
            " database 'acme_staging' is already claimed by tenant 'acme' (staging)"
        ],
        id="duplicate-database",
    ),
    pytest.param(
        "      production: {namespaces: [globex-prod]",
        "      dr: {namespaces: [globex-prod]",
        [
            "costplane.yaml:52:7: tenants[1].environments.dr: service class 'shared' has no"
            " quota for dr environments (it has quotas for: production, staging)"
        ],
        id="environment-without-quota",
    ),
    pytest.param(
        "{tenant: acme}",
        "{tenant: acmee}",
        [
            "costplane.yaml:57:21: budgets[1].scope.tenant:"
            " unknown tenant 'acmee' (did you mean 'acme'?)"
        ],
        id="budget-unknown-tenant",
    ),
    pytest.param(
        "{tenant: acme}",
        "{service_class: dedicated}",
        [
            "costplane.yaml:57:28: budgets[1].scope.service_class:"
            " unknown service class 'dedicated' (declared: shared)"
        ],
        id="budget-unknown-service-class",
    ),
    pytest.param(
        "    tenancy: shared\n",
        "    tenancy: shared: x\n",
        ["costplane.yaml:4:20: YAML syntax error: mapping values are not allowed here"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "    ha_replicas: 1",
        "    tenancy: dedicated",
        [
            "costplane.yaml:12:5: duplicate key 'tenancy':"
            " a key may appear only once in a mapping (first at line 4)"
        ],
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), MISTAKES)
def test_each_mistake_is_reported_at_its_place(
    edit: Edit, problems: Problems, old: str, new: str, expected: list[str]
) -> None:
    assert problems(edit(old, new)) == expected


def test_the_untouched_fixture_is_valid(minimal: str) -> None:
    catalog = parse_catalog(minimal)
    assert [tenant.id for tenant in catalog.tenants] == ["acme", "globex"]


def test_money_is_read_exactly_from_the_yaml_text(edit: Edit) -> None:
    catalog = parse_catalog(edit("standard-rwo: {amount: 0.10,", "standard-rwo: {amount: 0.1,"))
    amount = catalog.price_sheet.storage["standard-rwo"].amount
    assert amount == Decimal("0.1")
    assert str(amount) == "0.1"  # through a binary float: 0.1000000000000000055511151231...
    assert str(catalog.service_classes["shared"].monthly_fee) == "450.10"
    assert catalog.price_sheet.backup.amount == Decimal("0.0316")


def test_an_exponent_or_underscores_still_read_exactly(edit: Edit) -> None:
    catalog = parse_catalog(edit("monthly_amount: 5000.00", "monthly_amount: 5_000.25e1"))
    assert catalog.budgets[0].monthly_amount == Decimal("50002.5")


def test_a_contract_in_another_currency_is_allowed(edit: Edit) -> None:
    second_contract = (
        "      - start: 2025-01-01\n    environments:\n      production: {namespaces: [g"
    )
    catalog = parse_catalog(
        edit(
            second_contract,
            second_contract.replace("- start: 2025-01-01", "- {start: 2025-01-01, currency: CHF}"),
        )
    )
    assert catalog.currency == "EUR"
    assert catalog.tenants[1].contracts[1].currency == "CHF"


def test_three_mistakes_in_three_places_are_all_reported(problems: Problems) -> None:
    text = (FIXTURES / "three_mistakes.yaml").read_text(encoding="utf-8")
    assert problems(text) == [
        "costplane.yaml:8:36: service_classes.shared.quota.production.memory:"
        " not a Kubernetes quantity: '4Gx' (expected e.g. 500m, 2, 4Gi)",
        "costplane.yaml:33:40: price_sheet.load_balancer.unit: unit 'GiB-hour' does not fit"
        " this price: expected <hour|day|month|year> per unit, e.g. hour",
        "costplane.yaml:47:20: tenants[1].service_class:"
        " unknown service class 'shared-plus' (did you mean 'shared'?)",
    ]


def test_a_broken_tenant_hides_no_other_tenants_problem(edit: Edit, problems: Problems) -> None:
    """acme has a wrong value; globex's duplicate namespace with itself is still found, and
    the budget naming acme is not told that acme is unknown."""
    text = edit(
        "    region: eu-de\n    contracts:\n      - start: 2025",
        "    region: 7\n    contracts:\n      - start: 2025",
    )
    text = text.replace("[globex-prod]", "[globex-prod, globex-prod]")
    assert problems(text) == [
        "costplane.yaml:37:13: tenants[0].region: expected text, got 7",
        "costplane.yaml:52:46: tenants[1].environments.production.namespaces[1]:"
        " namespace 'globex-prod' is already claimed by tenant 'globex' (production)",
    ]


def test_problems_come_in_file_order_with_the_file_name(edit: Edit) -> None:
    text = edit("Europe/Berlin", "Europe/Berln").replace("{tenant: acme}", "{tenant: acmee}")
    with pytest.raises(InputProblemsError) as caught:
        parse_catalog(text, "catalogs/prod.yaml")
    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        ("catalogs/prod.yaml", 17, 18),
        ("catalogs/prod.yaml", 57, 21),
    ]


def test_the_error_is_an_input_error_with_exit_code_2(edit: Edit) -> None:
    with pytest.raises(InputError) as caught:
        parse_catalog(edit("budgets:", "budget:"))
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "",
            "costplane.yaml:1:1: the catalog is empty:"
            " it needs at least currency, service_classes, price_sheet",
            id="empty",
        ),
        pytest.param(
            (FIXTURES / "comments_only.yaml").read_text(encoding="utf-8"),
            "costplane.yaml:1:1: the catalog is empty:"
            " it needs at least currency, service_classes, price_sheet",
            id="comments-only",
        ),
        pytest.param(
            "- currency: EUR\n",
            "costplane.yaml:1:1: the catalog must be a mapping of keys, got a list",
            id="top-level-list",
        ),
        pytest.param(
            "just some text\n",
            "costplane.yaml:1:1: the catalog must be a mapping of keys, got 'just some text'",
            id="top-level-text",
        ),
        pytest.param(
            "currency: EUR\n---\ncurrency: USD\n",
            "costplane.yaml:2:1: YAML syntax error: but found another document"
            " (expected a single document in the stream at line 1)",
            id="two-documents",
        ),
    ],
)
def test_a_file_that_is_no_catalog_is_one_problem(
    problems: Problems, text: str, expected: str
) -> None:
    assert problems(text) == [expected]


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "costplane.yaml"
    with pytest.raises(InputProblemsError) as caught:
        load_catalog(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:1:1: file not found"]


def test_a_directory_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(InputProblemsError) as caught:
        load_catalog(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path}:1:1: is a directory, not a catalog file"
    ]


def test_text_that_is_not_utf8_is_one_problem_at_the_byte(tmp_path: Path, minimal: str) -> None:
    path = tmp_path / "costplane.yaml"
    path.write_bytes(minimal.replace("Acme Wholesale", "Acme Gro\xdfhandel").encode("latin-1"))
    with pytest.raises(InputProblemsError) as caught:
        load_catalog(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:35:19: not UTF-8 text: byte 0xdf cannot be decoded"
    ]


def test_loading_writes_nothing(tmp_path: Path, minimal: str) -> None:
    path = tmp_path / "costplane.yaml"
    path.write_text(minimal, encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    load_catalog(path)
    with pytest.raises(InputProblemsError):
        load_catalog(tmp_path / "absent.yaml")
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_anchors_and_merge_keys_are_read(edit: Edit) -> None:
    """A shared block written once and merged in is a common way to keep a catalog short."""
    text = edit(
        "      staging: {namespaces: [acme-staging], databases: [acme_staging]}",
        "      staging: {<<: {namespaces: [acme-staging]}, databases: [acme_staging]}",
    )
    catalog = parse_catalog(text)
    assert catalog.tenants[0].environments[EnvironmentKind.STAGING].namespaces == ["acme-staging"]
