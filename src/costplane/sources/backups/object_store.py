"""A backup bucket listed through the S3 API (boto3): per tenant prefix, bytes and newest object.

Under the listed prefix, the first path segment names what a backup belongs
to: a catalog database, namespace or tenant id (`backups/acme/...`). Every
object is listed (ListObjectsV2, 1,000 keys a page) because only a listing
tells sizes; each prefix becomes one "listing" row: its bytes, its oldest and
newest object, and the bucket's region (GetBucketLocation). Credentials come
from boto3's usual chain (environment, ~/.aws, an instance or pod role) and
are never shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    NoCredentialsError,
)

from costplane.errors import ServiceUnavailableError
from costplane.masked_url import masked_url
from costplane.retries import ATTEMPTS, CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS
from costplane.sources.backups.records import LISTING, BackupRecord, naive_utc, records_table
from costplane.sources.backups.system import SystemRead
from costplane.sources.backups.tenancy import UNMAPPED, Placement, TenantIndex
from costplane.warehouse import Load

TOOL = "s3"
PAGE_SIZE = 1000


@dataclass(frozen=True)
class BucketSource:
    bucket: str
    endpoint: str | None = None
    prefix: str = ""
    region: str | None = None

    @property
    def root(self) -> str:
        """The listed prefix, ending in `/` unless it is the whole bucket."""
        stripped = self.prefix.strip("/")
        return f"{stripped}/" if stripped else ""

    @property
    def target(self) -> str:
        where = f" at {masked_url(self.endpoint)}" if self.endpoint else ""
        return f"s3://{self.bucket}/{self.root}{where}"


@dataclass
class PrefixTotals:
    objects: int = 0
    size_bytes: int = 0
    oldest: dt.datetime | None = None
    newest: dt.datetime | None = None

    def add(self, size: int, modified: dt.datetime) -> None:
        self.objects += 1
        self.size_bytes += size
        self.oldest = modified if self.oldest is None else min(self.oldest, modified)
        self.newest = modified if self.newest is None else max(self.newest, modified)


def s3_client(source: BucketSource) -> Any:
    """A client with Costplane's timeouts and botocore's bounded retries with backoff."""
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"max_attempts": ATTEMPTS, "mode": "standard"},
    )
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=source.endpoint, region_name=source.region, config=config
    )


def list_prefixes(client: Any, source: BucketSource) -> dict[str, PrefixTotals]:
    """Every object under the root, totalled by the path segment that follows it."""
    totals: dict[str, PrefixTotals] = {}
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=source.bucket, Prefix=source.root, PaginationConfig={"PageSize": PAGE_SIZE}
    )
    try:
        for page in pages:
            for item in page.get("Contents", ()):
                segment = item["Key"][len(source.root) :].split("/", 1)[0]
                totals.setdefault(segment, PrefixTotals()).add(
                    int(item["Size"]), naive_utc(item["LastModified"])
                )
    except (ClientError, BotoCoreError) as error:
        raise ServiceUnavailableError(_failure(source, "ListObjectsV2", error)) from None
    return totals


def bucket_region(client: Any, source: BucketSource) -> str | None:
    """The bucket's region; AWS answers none for us-east-1, other stores for their default."""
    answer = client.get_bucket_location(Bucket=source.bucket)
    constraint = answer.get("LocationConstraint")
    if constraint:
        return str(constraint)
    return "us-east-1" if source.endpoint is None else source.region


def read_object_store(
    source: BucketSource, tenants: TenantIndex, taken_at: dt.datetime
) -> SystemRead:
    """One load: a "listing" row per prefix; a denied GetBucketLocation is only reported."""
    client = s3_client(source)
    missing: list[str] = []
    try:
        region = bucket_region(client, source)
    except (ClientError, BotoCoreError) as error:
        if not isinstance(error, ClientError):
            raise ServiceUnavailableError(_failure(source, "GetBucketLocation", error)) from None
        missing.append(_failure(source, "GetBucketLocation", error))
        region = source.region
    totals = list_prefixes(client, source)
    rows = [
        _record(source, segment, total, tenants, region, taken_at)
        for segment, total in sorted(totals.items())
    ]
    load = Load("backup_records", TOOL, source.target, taken_at, taken_at, records_table(rows))
    details = {
        "bucket": source.bucket,
        "endpoint": masked_url(source.endpoint) if source.endpoint else None,
        "prefix": source.root,
        "region": region,
        "objects": sum(t.objects for t in totals.values()),
        "unmapped_prefixes": sorted(str(r.backup_id) for r in rows if not r.tenant),
    }
    return SystemRead(TOOL, source.target, [load], rows, missing, details)


def prefix_placement(segment: str, tenants: TenantIndex) -> Placement:
    """A database prefix names its environment too; a namespace its environment; a tenant id
    only the tenant."""
    if segment in tenants.databases:
        return tenants.databases[segment]
    if segment in tenants.namespaces:
        found = tenants.namespaces[segment]
        return Placement(found.tenant, found.environment)
    return Placement(segment) if segment in tenants.tenants else UNMAPPED


def _record(
    source: BucketSource,
    segment: str,
    total: PrefixTotals,
    tenants: TenantIndex,
    region: str | None,
    taken_at: dt.datetime,
) -> BackupRecord:
    placement = prefix_placement(segment, tenants)
    key = f"{source.root}{segment}/"
    return BackupRecord(
        taken_at=taken_at,
        record_type=LISTING,
        tool=TOOL,
        backup_id=key,
        tenant=placement.tenant,
        environment=placement.environment,
        database=placement.database,
        backup_type=None,
        started_at=total.oldest,
        finished_at=total.newest,
        size_bytes=total.size_bytes,
        location=f"s3://{source.bucket}/{key}",
        location_region=region,
        data_region=tenants.region(placement.tenant),
        status="ok",
    )


def _failure(source: BucketSource, operation: str, error: Exception) -> str:
    """One line naming the bucket, the operation and why; never a credential."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        code = detail.get("Code", "error")
        message = detail.get("Message") or ""
        reason = f"{code}" + (f" ({message})" if message and message != code else "")
        return f"{source.target}: {operation} refused: {reason}"
    if isinstance(error, NoCredentialsError):
        return (
            f"{source.target}: no AWS credentials found (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance or pod role)"
        )
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if source.endpoint:
        text = text.replace(source.endpoint, masked_url(source.endpoint))
    return f"{source.target}: {operation} failed: {text}"
