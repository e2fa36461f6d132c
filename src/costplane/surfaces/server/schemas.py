"""The response bodies, declared so the OpenAPI document describes every one.

They describe the CLI's JSON documents (`costplane.service`'s `*_document` functions),
which are the bodies: money is a decimal string, exact (`Money`); times are UTC,
ISO 8601 without an offset, as the CLI writes them. Routes return the documents
themselves; these models are the contract's description, checked by the tests.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Money = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]+)?$",
        description="An exact decimal amount, as a string",
        examples=["71.038553935"],
    ),
]
Time = Annotated[str, Field(description="UTC, ISO 8601 without an offset")]
Day = Annotated[str, Field(description="A day, YYYY-MM-DD", examples=["2026-10-01"])]

Item = TypeVar("Item")


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(Document, Generic[Item]):
    """One page of a list: `limit` items from `offset`, of `total`."""

    items: list[Item]
    total: int
    limit: int
    offset: int


# Reports -------------------------------------------------------------------------------


class Allocated(Document):
    first: Day
    last: Day
    days: int
    days_in_month: int


class ReportHeader(Document):
    report: str
    period: str
    currency: str
    allocated: Allocated
    notes: list[str] = Field(
        description="What a reader is told (a month not wholly allocated, data loaded since);"
        " the CLI prints them on stderr"
    )


class KindTotals(Document):
    direct: Money
    shared: Money
    idle: Money
    overhead: Money
    unallocated: Money
    total: Money


class ShowbackLine(KindTotals):
    line: str
    tenant: str | None
    environment: str | None = None
    service_class: str | None = None
    cost_domain: str | None = None


class ShowbackDocument(ReportHeader):
    by: list[str]
    lines: list[ShowbackLine]
    total: KindTotals
    sources: dict[str, Money] | None = Field(
        description="The whole total by where its prices come from; null when narrowed to a tenant"
    )


class ChargebackRulesDocument(Document):
    markup_percent: Money
    minimum_monthly: Money
    rounding: Money
    include_shared: bool
    include_idle: bool


class ChargebackLine(Document):
    tenant: str
    environment: str | None = None
    service_class: str | None = None
    cost_domain: str | None = None
    line: str
    cost: Money
    charge: Money


class TenantCharge(Document):
    tenant: str
    cost: Money
    charge: Money
    minimum: Money
    total: Money


class ChargeTotal(Document):
    cost: Money
    charge: Money


class ChargebackDocument(ReportHeader):
    rules: ChargebackRulesDocument
    by: list[str]
    lines: list[ChargebackLine]
    tenants: list[TenantCharge]
    total: ChargeTotal


class ReconcileTotal(Document):
    billed: Money
    allocated: Money
    shared: Money
    idle: Money
    unallocated: Money
    difference: Money


class ReconciledDay(ReconcileTotal):
    date: Day


class ReconcileDocument(ReportHeader):
    days: list[ReconciledDay]
    total: ReconcileTotal


class TenantMargin(Document):
    tenant: str
    service_class: str | None
    contract_days: int
    fee: Money
    cost: Money
    margin: Money
    margin_percent: Money | None


class MarginTotal(Document):
    fee: Money
    cost: Money
    margin: Money
    margin_percent: Money | None


class FlaggedTenant(Document):
    tenant: str
    service_class: str | None
    cost: Money
    flag: str


class MarginDocument(ReportHeader):
    tenants: list[TenantMargin]
    total: MarginTotal
    flagged: list[FlaggedTenant]
    untenanted_cost: Money


class UnitCostTotal(Document):
    cost: Money
    orders: int
    pickings: int
    invoices: int
    per_order: Money | None
    per_picking: Money | None
    per_invoice: Money | None


class UnitCostRow(UnitCostTotal):
    tenant: str | None
    service_class: str | None


class UnitCostDocument(ReportHeader):
    tenants: list[UnitCostRow]
    total: UnitCostTotal


# Findings ------------------------------------------------------------------------------


class Resource(Document):
    kind: str
    namespace: str | None
    name: str


class StatusChange(Document):
    at: Time
    status: str
    by: str
    reason: str | None


class FindingDocument(Document):
    """A kept finding, as `costplane findings show -o json` prints it (a list leaves out
    `history`)."""

    id: int
    policy: str
    severity: str
    resource: Resource
    cluster: str | None
    kind: str
    namespace: str | None
    name: str
    tenant: str | None
    environment: str | None
    monthly_waste: Money | None
    currency: str
    message: str
    fix: str
    fingerprint: str
    status: str
    first_seen: Time
    last_seen: Time
    resolved_at: Time | None
    acknowledged_at: Time | None
    acknowledged_by: str | None
    suppressed_until: Day | None
    suppressed_reason: str | None
    suppressed_by: str | None
    evidence: dict[str, str | None]
    history: list[StatusChange] | None = None


# Sources and the audit log --------------------------------------------------------------


class SourceDocument(Document):
    source: str
    target: str
    status: str
    last_success: Time | None
    staleness_hours: float | None
    last_error: str | None
    last_error_at: Time | None
    missing: list[str]


class AuditEntryDocument(Document):
    id: int
    recorded_at: Time
    actor: str
    phase: str
    intent_id: int | None
    action: str
    api_version: str
    kind: str
    namespace: str
    name: str
    patch: Any = Field(description="A JSON merge patch, `delete`, or null")
    before: Any
    after: Any
    monthly_amount: Money
    currency: str
    result: str
    detail: str | None
    prev_hash: str
    hash: str


# Health ---------------------------------------------------------------------------------


class Health(Document):
    status: str


class Readiness(Document):
    status: str
    checks: dict[str, str] = Field(description="Each dependency: ok, or what is wrong")
