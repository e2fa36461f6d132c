"""A backup bucket listed through the S3 API, against moto's S3-API server on loopback.

The bucket holds more than 1,000 objects under one tenant's prefix, so the listing
only adds up when every page is read. The least-privilege policy of
docs/sources/backups.md is attached to a user of the server's IAM, and the listing
is made with that user's keys while the server enforces policies.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import Catalog
from costplane.errors import ServiceUnavailableError
from costplane.sources.backups import BackupSources, BucketSource, collect_backups
from costplane.sources.backups.pgbackrest_rows import PgBackRestSource
from costplane.sources.collector import Collected
from tests.sources.backups.conftest import DATA, SECRET_KEY, s3

BUCKET = "acme-backups"
DOCS = Path(__file__).resolve().parents[3] / "docs/sources/backups.md"
MANY = 1150


@dataclass(frozen=True)
class Uploaded:
    sizes: dict[str, int]
    """key -> bytes"""
    newest: dict[str, dt.datetime]
    """prefix -> Last-Modified of the object written last there, as HeadObject reports it"""


def _size(i: int) -> int:
    return (i * 7919) % 4096 + 1


@pytest.fixture(scope="module")
def uploaded(s3_server: str) -> Uploaded:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "AKIASETUP")
        env.setenv("AWS_SECRET_ACCESS_KEY", "setup")
        client = s3(s3_server)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        layout = {
            "backups/kontor-buero/": MANY,  # a tenant id
            "backups/alpenpharm_prod/": 3,  # a database
            "backups/kontor-buero-staging/": 2,  # a namespace
            "backups/scratch/": 1,  # nothing in the catalog
            "exports/mosel-wein/": 4,  # outside the listed prefix
        }
        keys = {
            f"{prefix}{i // 100:03d}/part-{i:05d}.tar.zst": _size(i)
            for prefix, count in layout.items()
            for i in range(count)
        }

        def put(key: str) -> None:
            client.put_object(Bucket=BUCKET, Key=key, Body=b"\0" * keys[key])

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(put, keys))
        time.sleep(1.1)  # the last object of each prefix is strictly the newest
        newest = {}
        for prefix in layout:
            key = f"{prefix}zz-last.wal.gz"
            keys[key] = 17
            put(key)
            modified = client.head_object(Bucket=BUCKET, Key=key)["LastModified"]
            newest[prefix] = modified.astimezone(dt.UTC).replace(tzinfo=None)
    return Uploaded(keys, newest)


def _collect(endpoint: str, catalog: Catalog, prefix: str = "backups") -> Collected:
    source = BucketSource(BUCKET, endpoint, prefix)
    return collect_backups(BackupSources(bucket=source), catalog)


def _rows(collected: Collected) -> dict[str, dict[str, Any]]:
    return {r["backup_id"]: r for load in collected.loads for r in load.data.to_pylist()}


def test_every_page_is_read_and_prefixes_add_up(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog
) -> None:
    rows = _rows(_collect(s3_endpoint, catalog))
    assert set(rows) == {
        "backups/kontor-buero/",
        "backups/alpenpharm_prod/",
        "backups/kontor-buero-staging/",
        "backups/scratch/",
    }
    for prefix, row in rows.items():
        under = [size for key, size in uploaded.sizes.items() if key.startswith(prefix)]
        assert row["size_bytes"] == sum(under)
        # HeadObject's Last-Modified is an HTTP date, whole seconds; the listing's is finer
        assert row["finished_at"].replace(microsecond=0) == uploaded.newest[prefix]
        assert row["started_at"] <= row["finished_at"]
        assert row["location"] == f"s3://{BUCKET}/{prefix}"
        assert row["location_region"] == "eu-central-1"
        assert row["record_type"] == "listing"
        assert row["tool"] == "s3"
    assert len([k for k in uploaded.sizes if k.startswith("backups/kontor-buero/")]) > 1000


def test_prefixes_map_to_tenants_by_id_database_or_namespace(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog
) -> None:
    rows = _rows(_collect(s3_endpoint, catalog))
    placed = {k: (r["tenant"], r["environment"], r["database"]) for k, r in rows.items()}
    assert placed == {
        "backups/kontor-buero/": ("kontor-buero", None, None),
        "backups/alpenpharm_prod/": ("alpenpharm", "production", "alpenpharm_prod"),
        "backups/kontor-buero-staging/": ("kontor-buero", "staging", None),
        "backups/scratch/": (None, None, None),
    }
    assert rows["backups/alpenpharm_prod/"]["data_region"] == "eu-de"


def test_the_summary_gives_each_tenant_its_newest_listing(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog
) -> None:
    collected = _collect(s3_endpoint, catalog)
    tenants = {t["tenant"]: t for t in collected.summary["tenants"]}
    kontor = tenants["kontor-buero"]
    newer = max(["backups/kontor-buero/", "backups/kontor-buero-staging/"],
                key=lambda p: uploaded.newest[p])  # fmt: skip
    assert kontor["backup_id"] == newer
    assert kontor["location"] == f"s3://{BUCKET}/{newer}"
    assert kontor["systems"] == ["s3"]
    (system,) = collected.summary["systems"]
    assert system["objects"] == sum(1 for k in uploaded.sizes if k.startswith("backups/"))
    assert system["unmapped_prefixes"] == ["backups/scratch/"]
    assert collected.loads[0].scope == f"s3://{BUCKET}/backups/ at {s3_endpoint}"


@contextmanager
def _enforced(endpoint: str) -> Iterator[None]:
    """The server checks every request against IAM policies until the block ends."""

    def reset(count: bytes) -> None:
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth",
            data=count,
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    reset(b"0")
    try:
        yield
    finally:
        reset(b"inf")


def _user_with(endpoint: str, name: str, policy: dict[str, Any]) -> tuple[str, str]:
    import boto3

    iam = boto3.session.Session().client("iam", endpoint_url=endpoint, region_name="us-east-1")
    iam.create_user(UserName=name)
    arn = iam.create_policy(PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
    iam.attach_user_policy(UserName=name, PolicyArn=arn["Policy"]["Arn"])
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _documented_policy() -> dict[str, Any]:
    """The read-only policy as docs/sources/backups.md gives it."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)\n```", text, re.DOTALL)
    policies = [json.loads(b) for b in blocks if '"s3:ListBucket"' in b]
    assert len(policies) == 1, "docs/sources/backups.md shows the bucket policy as a json block"
    policy: dict[str, Any] = policies[0]
    return policy


def test_the_documented_read_only_policy_is_enough(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = _documented_policy()
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == {"s3:ListBucket", "s3:GetBucketLocation"}
    key, secret = _user_with(s3_endpoint, "costplane-reader", policy)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    open_rows = _rows(_collect(s3_endpoint, catalog))
    with _enforced(s3_endpoint):
        collected = _collect(s3_endpoint, catalog)
        with pytest.raises(Exception, match="AccessDenied"):  # and nothing more than listing
            s3(s3_endpoint).get_object(Bucket=BUCKET, Key="backups/scratch/zz-last.wal.gz")
    assert not collected.partial
    assert {k: r["size_bytes"] for k, r in _rows(collected).items()} == {
        k: r["size_bytes"] for k, r in open_rows.items()
    }


def test_the_server_authorizes_listing_as_aws_does(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS authorizes ListObjectsV2 by the IAM action s3:ListBucket; IAM has no action named
    s3:ListObjectsV2. A server that checked the API's name instead would refuse the documented
    policy and grant a wrong one, and the tests above would prove nothing about AWS."""
    api_named = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListObjectsV2", "s3:GetBucketLocation"],
                "Resource": f"arn:aws:s3:::{BUCKET}",
            }
        ],
    }
    key, secret = _user_with(s3_endpoint, "costplane-api-named", api_named)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    with _enforced(s3_endpoint):
        try:
            _collect(s3_endpoint, catalog)
            refused = ""
        except ServiceUnavailableError as error:
            refused = str(error)
    import moto

    assert "ListObjectsV2 refused: AccessDenied" in refused, (
        f"moto {moto.__version__} lets s3:ListObjectsV2, not an IAM action, list a bucket: it does"
        " not authorize S3 as AWS does (5.2.6 does this); install the locked versions (make test)"
    )


def test_a_denied_listing_is_missing_while_pgbackrest_loads(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_location = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation"],
                "Resource": f"arn:aws:s3:::{BUCKET}",
            }
        ],
    }
    key, secret = _user_with(s3_endpoint, "costplane-no-list", only_location)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    sources = BackupSources(
        pgbackrest=PgBackRestSource(DATA / "pgbackrest-info.json"),
        bucket=BucketSource(BUCKET, s3_endpoint, "backups"),
    )
    with _enforced(s3_endpoint):
        collected = collect_backups(sources, catalog)
    assert collected.partial
    assert collected.missing[0] == (
        f"s3://{BUCKET}/backups/ at {s3_endpoint}: ListObjectsV2 refused: AccessDenied "
        "(Access Denied)"
    )
    assert {load.source for load in collected.loads} == {"pgbackrest"}
    systems = {s["system"]: s for s in collected.summary["systems"]}
    assert systems["s3"]["status"] == "failed"
    assert systems["pgbackrest"]["records"] > 0
    shown = json.dumps([collected.summary, list(collected.missing)], default=str)
    assert secret not in shown
    assert SECRET_KEY not in shown


def test_a_denied_bucket_location_only_loses_the_region(
    s3_endpoint: str, uploaded: Uploaded, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_list = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{BUCKET}"}
        ],
    }
    key, secret = _user_with(s3_endpoint, "costplane-list-only", only_list)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    with _enforced(s3_endpoint):
        collected = _collect(s3_endpoint, catalog)
    assert collected.missing == [
        f"s3://{BUCKET}/backups/ at {s3_endpoint}: GetBucketLocation refused: AccessDenied "
        "(Access Denied)"
    ]
    rows = _rows(collected)
    assert len(rows) == 4
    assert {r["location_region"] for r in rows.values()} == {None}


def test_a_missing_bucket_or_a_closed_port_fails_naming_the_target(
    s3_endpoint: str, catalog: Catalog
) -> None:
    source = BucketSource("no-such-bucket", s3_endpoint)
    missing = r"^s3://no-such-bucket/ at .*: ListObjectsV2 refused: NoSuchBucket"
    with pytest.raises(ServiceUnavailableError, match=missing):
        collect_backups(BackupSources(bucket=source), catalog)
    closed = BucketSource(BUCKET, "http://127.0.0.1:9")
    unreachable = (
        r"^s3://acme-backups/ at http://127\.0\.0\.1:9: GetBucketLocation failed: "
        r"Could not connect to the endpoint URL"
    )
    with pytest.raises(ServiceUnavailableError, match=unreachable):
        collect_backups(BackupSources(bucket=closed), catalog)
