"""notify: one webhook POST carrying the findings, received by a local HTTP server."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from costplane.actions import (
    AuditLog,
    ManifestObjects,
    apply_plan,
    make_action,
    plan_action,
    read_targets,
)
from costplane.errors import InputError
from tests.actions.conftest import NAMESPACE, deployment

NOW = dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC)
TOKEN_PATH = "/hooks/T000/B000/s3cr3t-token"


@dataclass
class Webhook:
    url: str
    status: int = 204
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            hook.received.append(
                {
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}{TOKEN_PATH}"
    yield hook
    server.shutdown()
    server.server_close()


def _findings(tmp_path: Path) -> tuple[Path, Path]:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "web.json").write_text(json.dumps(deployment("odoo-web", 3)))
    (manifests / "worker.json").write_text(json.dumps(deployment("odoo-worker", 2)))
    findings = [
        {
            "policy": "nonprod-idle",
            "severity": "medium",
            "resource": {"kind": "Deployment", "namespace": NAMESPACE, "name": name},
            "tenant": "acme",
            "environment": "development",
            "monthly_waste": amount,
            "currency": "EUR",
            "message": f"{name} idle for 14 days",
            "fix": "sleep it",
            "fingerprint": f"fp-{name}",
            "status": "open",
        }
        for name, amount in (("odoo-web", "41.20"), ("odoo-worker", "12.05"))
    ]
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(findings))
    return path, manifests


def test_notify_posts_the_findings_once_and_audits_each(
    webhook: Webhook, tmp_path: Path, sqlite_store: Engine
) -> None:
    path, manifests = _findings(tmp_path)
    targets = read_targets(path, ManifestObjects(manifests))
    action = make_action("notify", {"url": webhook.url})
    plan = plan_action(action, targets, NOW)
    assert webhook.received == []  # planning sends nothing
    assert plan.monthly_amount == Decimal("53.25")
    assert {c.summary for c in plan.changes} == {f"POST to {webhook.url.split('/hooks')[0]}/…"}

    log = AuditLog(sqlite_store)
    execution = apply_plan(plan, action, cluster=None, audit=log, actor="ci")
    (request,) = webhook.received
    assert request["path"] == TOKEN_PATH
    assert request["content_type"] == "application/json"
    assert request["body"]["source"] == "costplane"
    assert [f["fingerprint"] for f in request["body"]["findings"]] == [
        "fp-odoo-web",
        "fp-odoo-worker",
    ]
    assert request["body"]["findings"][0]["monthly_waste"] == "41.20"
    assert all(o.ok and "HTTP 204" in o.detail for o in execution.outcomes)
    entries = log.entries()
    assert len(entries) == 4
    assert log.verify().intact
    assert not any("s3cr3t" in (e.detail or "") for e in entries)  # the token stays out of the log


def test_a_webhook_that_refuses_is_recorded_as_failed(
    webhook: Webhook, tmp_path: Path, sqlite_store: Engine
) -> None:
    webhook.status = 403
    path, manifests = _findings(tmp_path)
    action = make_action("notify", {"url": webhook.url})
    plan = plan_action(action, read_targets(path, ManifestObjects(manifests)), NOW)
    log = AuditLog(sqlite_store)
    execution = apply_plan(plan, action, cluster=None, audit=log, actor="ci")
    assert len(webhook.received) == 1
    assert execution.failed == 2
    assert execution.stopped is not None
    assert "HTTP 403" in execution.stopped
    assert [e.result for e in log.entries() if e.phase == "result"] == ["failed", "failed"]


def test_notify_needs_an_http_url() -> None:
    with pytest.raises(InputError, match="must be an http"):
        make_action("notify", {"url": "ftp://example.org/x"})
    with pytest.raises(InputError, match="must be an http"):
        make_action("notify", {})
