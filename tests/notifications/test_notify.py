"""`costplane notify`: each route hears each event once, in its channel's shape, and a failed
delivery is recorded, retried next run, and never stops the others."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from email import message_from_bytes
from pathlib import Path

import pytest

from costplane.catalog import EventKind, Severity, parse_catalog
from costplane.notifications import Event, messages, payload
from tests.conftest import Run
from tests.notifications.conftest import Mailbox, Webhook

SEVERITIES = ["low", "medium", "high", "critical"]


def project(demo_home: Path, folder: Path, notifications: str) -> Path:
    """The demo's catalog and state store (its findings), with these routes."""
    (folder / ".costplane").mkdir(parents=True)
    shutil.copy(demo_home / ".costplane" / "state.db", folder / ".costplane" / "state.db")
    catalog = (demo_home / "costplane.yaml").read_text(encoding="utf-8")
    assert "\nnotifications:" not in catalog
    (folder / "costplane.yaml").write_text(catalog + "\n" + notifications, encoding="utf-8")
    return folder


def open_findings(cli: Run, home: Path, at_least: str) -> list[dict[str, object]]:
    listed = cli("--home", str(home), "findings", "list", "-o", "json")
    assert listed.exit_code == 0, listed.stderr
    floor = SEVERITIES.index(at_least)
    return [f for f in json.loads(listed.stdout) if SEVERITIES.index(str(f["severity"])) >= floor]


def where(finding: dict[str, object]) -> str:
    return "/".join(str(finding[k]) for k in ("namespace", "name") if finding[k])


CHAT_ROUTES = """\
notifications:
  routes:
    - id: platform-slack
      channel: slack
      url_env: SLACK_URL
      events: [finding]
      min_severity: high
    - id: finance-teams
      channel: teams
      url_env: TEAMS_URL
      events: [finding]
      min_severity: medium
      digest: daily
"""


def test_each_route_hears_each_finding_once(
    cli: Run, demo_home: Path, tmp_path: Path, webhook: Webhook
) -> None:
    home = project(demo_home, tmp_path, CHAT_ROUTES)
    env = {"SLACK_URL": f"{webhook.url}/slack/T000/B000/tok3n", "TEAMS_URL": f"{webhook.url}/teams"}
    high = open_findings(cli, home, "high")
    medium = open_findings(cli, home, "medium")
    assert high
    assert len(medium) > len(high)

    first = cli("--home", str(home), "notify", "run", "-o", "json", env=env)
    assert first.exit_code == 0, first.stderr
    slack = webhook.bodies("/slack/T000/B000/tok3n")
    teams = webhook.bodies("/teams")
    assert len(slack) == len(high)  # one message per event
    assert len(teams) == 1  # the daily digest: one message with them all
    card = teams[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert card["content"]["body"][0]["text"] == f"Costplane: {len(medium)} events"
    titles = {block["blocks"][1]["text"]["text"].split("*")[1] for block in slack}
    assert titles == {f"{f['policy']}: {f['kind']} {where(f)}" for f in high}
    rows = json.loads(first.stdout)
    assert {(r["route"], r["status"]) for r in rows} == {
        ("platform-slack", "sent"),
        ("finance-teams", "sent"),
    }
    assert "tok3n" not in first.stdout + first.stderr  # the token in the URL is never shown

    again = cli("--home", str(home), "notify", "run", "-o", "json", env=env)
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout) == []
    assert len(webhook.received) == len(high) + 1

    history = cli("--home", str(home), "notify", "history", "-o", "json")
    sent = json.loads(history.stdout)
    assert len(sent) == len(high) + len(medium)
    assert {r["status"] for r in sent} == {"sent"}
    assert {r["attempts"] for r in sent} == {1}


def test_a_failed_delivery_is_recorded_retried_and_stops_nothing(
    cli: Run, demo_home: Path, tmp_path: Path, webhook: Webhook
) -> None:
    home = project(
        demo_home, tmp_path, CHAT_ROUTES.replace("min_severity: high", "min_severity: critical")
    )
    critical = open_findings(cli, home, "critical")
    medium = open_findings(cli, home, "medium")
    env = {"SLACK_URL": f"{webhook.url}/slack", "TEAMS_URL": f"{webhook.url}/teams-down"}
    # Teams answers 503 to all three attempts of the digest; Slack gets its messages.
    order = ["slack"] * len(critical)
    webhook.answers = [200] * len(order) + [503, 503, 503]
    failed = cli("--home", str(home), "notify", "run", "-o", "json", env=env)
    assert failed.exit_code == 1
    assert failed.stderr.strip().endswith(f"1 of {len(critical) + 1} deliveries failed")
    rows = {r["route"]: r for r in json.loads(failed.stdout)}
    assert rows["finance-teams"]["status"] == "failed"
    assert "HTTP 503 (after 3 attempts)" in rows["finance-teams"]["error"]
    assert len(webhook.bodies("/slack")) == len(critical)

    history = json.loads(cli("--home", str(home), "notify", "history", "-o", "json").stdout)
    teams_rows = [r for r in history if r["route"] == "finance-teams"]
    assert len(teams_rows) == len(medium)
    assert {r["status"] for r in teams_rows} == {"failed"}

    retried = cli("--home", str(home), "notify", "run", "-o", "json", env=env)
    assert retried.exit_code == 0, retried.stderr
    assert [r["route"] for r in json.loads(retried.stdout)] == ["finance-teams"]
    history = json.loads(cli("--home", str(home), "notify", "history", "-o", "json").stdout)
    teams_rows = [r for r in history if r["route"] == "finance-teams"]
    assert {(r["status"], r["attempts"]) for r in teams_rows} == {("sent", 2)}


def test_a_missing_secret_fails_that_route_in_one_line(
    cli: Run, demo_home: Path, tmp_path: Path, webhook: Webhook
) -> None:
    home = project(demo_home, tmp_path, CHAT_ROUTES)
    result = cli("--home", str(home), "notify", "run", "-o", "json", env={"TEAMS_URL": webhook.url})
    assert result.exit_code == 1
    errors = {r["route"]: r["error"] for r in json.loads(result.stdout)}
    assert set(errors.values()) == {"environment variable SLACK_URL is not set", None}


def test_mail_goes_through_starttls_with_the_password_from_the_environment(
    cli: Run, demo_home: Path, tmp_path: Path, mailbox: Mailbox
) -> None:
    routes = f"""\
notifications:
  routes:
    - id: board-mail
      channel: email
      events: [finding]
      min_severity: critical
      digest: daily
      email:
        smtp_host: 127.0.0.1
        smtp_port: {mailbox.port}
        from_address: costplane@example.com
        to: [finops@example.com, cto@example.com]
        username_env: SMTP_USER
        password_env: SMTP_PASSWORD
        ca_file: {mailbox.ca_file}
"""
    home = project(demo_home, tmp_path, routes)
    critical = open_findings(cli, home, "critical")
    env = {"SMTP_USER": "costplane", "SMTP_PASSWORD": "s3cret-smtp"}
    result = cli("--home", str(home), "notify", "run", env=env)
    assert result.exit_code == 0, result.stderr
    assert "s3cret-smtp" not in result.stdout + result.stderr
    assert mailbox.logins == ["costplane"]
    [envelope] = mailbox.messages
    assert envelope.rcpt_tos == ["finops@example.com", "cto@example.com"]
    mail = message_from_bytes(envelope.original_content or b"")
    expected = f"Costplane: {len(critical)} events" if len(critical) > 1 else None
    if expected:
        assert mail["Subject"] == expected
    body = mail.get_payload(decode=True).decode()
    for finding in critical:
        assert f"{finding['policy']}: {finding['kind']}" in body

    wrong = cli(
        "--home", str(home), "notify", "test", "board-mail", env={**env, "SMTP_PASSWORD": "x"}
    )
    assert wrong.exit_code == 1
    assert "board-mail" in wrong.stderr
    assert "535" in wrong.stderr
    assert "\n" not in wrong.stderr.strip()


def test_notify_test_sends_a_sample_and_records_nothing(
    cli: Run, demo_home: Path, tmp_path: Path, webhook: Webhook
) -> None:
    home = project(demo_home, tmp_path, CHAT_ROUTES)
    env = {"SLACK_URL": f"{webhook.url}/slack/secret-path"}
    result = cli("--home", str(home), "notify", "test", "platform-slack", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"sent a sample to route platform-slack ({webhook.url}/…)"
    [body] = webhook.bodies("/slack/secret-path")
    assert body["blocks"][0]["text"]["text"] == "Costplane: test message for route platform-slack"
    history = cli("--home", str(home), "notify", "history", "-o", "json")
    assert json.loads(history.stdout) == []
    unknown = cli("--home", str(home), "notify", "test", "nope")
    assert unknown.exit_code == 2
    assert (
        "unknown notification route 'nope' (declared: platform-slack, finance-teams)"
        in unknown.stderr
    )


def event(key: str, **changes: object) -> Event:
    fields: dict[str, object] = {
        "kind": EventKind.FINDING,
        "key": key,
        "severity": Severity.HIGH,
        "title": f"title {key}",
        "text": "text",
        "occurred_at": dt.datetime(2026, 10, 5, 9),
        "tenant": "acme",
        "service_class": "standard",
        "amount": Decimal("12.5"),
        "currency": "EUR",
    }
    fields.update(changes)
    return Event(**fields)  # type: ignore[arg-type]


MINIMAL = Path(__file__).parents[1] / "catalog" / "fixtures" / "minimal.yaml"


def test_routes_filter_by_kind_severity_tenant_and_class() -> None:
    from costplane.catalog import NotificationRoute

    route = NotificationRoute.model_validate(
        {
            "id": "acme-only",
            "channel": "webhook",
            "url_env": "HOOK",
            "events": ["finding", "budget"],
            "min_severity": "high",
            "tenants": ["acme"],
        }
    )
    events = [
        event("a"),
        event("low", severity=Severity.MEDIUM),
        event("other-tenant", tenant="bolt"),
        event("platform", tenant=None),
        event("anomaly", kind=EventKind.ANOMALY),
        event("budget", kind=EventKind.BUDGET, severity=Severity.CRITICAL),
    ]
    planned = messages(
        [route], events, delivered={("acme-only", "budget")}, digest_sent_today=set()
    )
    assert [m.events[0].key for m in planned] == ["a"]


def test_slack_shows_data_literally() -> None:
    hostile = event("x", title="<!channel> & <https://evil|click>", text="a > b")
    body = payload(parse_route("slack").channel, [hostile])
    text = body["blocks"][1]["text"]["text"]
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;" in text
    assert "a &gt; b" in text
    assert "(12.50 EUR)" in text


def parse_route(channel: str):  # type: ignore[no-untyped-def]
    from costplane.catalog import NotificationRoute

    return NotificationRoute.model_validate({"id": "r", "channel": channel, "url_env": "X"})


@pytest.mark.parametrize(
    ("route", "said"),
    [
        ("{id: m, channel: email}", "an email route needs `email:`"),
        ("{id: s, channel: slack}", "a slack route needs `url_env`"),
        ("{id: s, channel: slack, url_env: 'not a name'}", "is not an environment variable name"),
        ("{id: s, channel: slack, url_env: X, tenants: [nobody]}", "unknown tenant 'nobody'"),
    ],
)
def test_a_bad_route_is_a_catalog_error_at_its_line(tmp_path: Path, route: str, said: str) -> None:
    from costplane.errors import InputProblemsError

    minimal = MINIMAL.read_text(encoding="utf-8")
    assert "\nnotifications:" not in minimal
    text = minimal.rstrip("\n") + f"\nnotifications:\n  routes:\n    - {route}\n"
    route_line = len(text.splitlines())
    with pytest.raises(InputProblemsError) as raised:
        parse_catalog(text, "costplane.yaml")
    lines = [str(p) for p in raised.value.problems]
    assert len(lines) == 1, lines
    assert said in lines[0], lines
    assert lines[0].startswith(f"costplane.yaml:{route_line}:"), lines


def test_a_daily_route_waits_for_tomorrow_and_then_sends_only_what_is_new() -> None:
    from costplane.catalog import NotificationRoute

    daily = NotificationRoute.model_validate(
        {"id": "d", "channel": "webhook", "url_env": "HOOK", "digest": "daily"}
    )
    seen = [event("a"), event("b")]
    assert messages([daily], seen, delivered=set(), digest_sent_today={"d"}) == []
    told = {("d", "a"), ("d", "b")}
    [tomorrow] = messages([daily], [*seen, event("c")], delivered=told, digest_sent_today=set())
    assert [e.key for e in tomorrow.events] == ["c"]


STALE_ROUTE = """\
notifications:
  stale_after_hours: 24
  routes:
    - id: oncall
      channel: webhook
      url_env: HOOK
      events: [source-stale]
"""


def test_a_stale_source_is_told_once_per_spell_with_the_state_in_postgresql(
    cli: Run, demo_home: Path, tmp_path: Path, webhook: Webhook, postgres_url: str
) -> None:
    from costplane.state import SourceRun, record_source_run, state_engine

    (tmp_path / "costplane.yaml").write_text(
        (demo_home / "costplane.yaml").read_text(encoding="utf-8") + "\n" + STALE_ROUTE,
        encoding="utf-8",
    )
    env = {"COSTPLANE_STATE_URL": postgres_url, "HOOK": f"{webhook.url}/hook"}
    assert cli("--home", str(tmp_path), "db", "upgrade", env=env).exit_code == 0
    engine = state_engine(postgres_url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def collected(source: str, hours_ago: float, status: str = "ok") -> None:
        at = now - dt.timedelta(hours=hours_ago)
        run = SourceRun(
            source=source, target="cluster-a", status=status, rows=1, started_at=at, finished_at=at
        )
        record_source_run(engine, run)

    collected("kubernetes", 30)  # stale: 30 h > 24 h
    collected("prometheus", 2)  # fresh
    first = cli("--home", str(tmp_path), "notify", "run", "-o", "json", env=env)
    assert first.exit_code == 0, first.stderr
    [body] = webhook.bodies("/hook")
    [told] = body["events"]
    assert told["kind"] == "source-stale"
    assert told["title"] == "source kubernetes cluster-a is stale"
    assert told["text"].startswith("last good collection 30 h ago")

    assert cli("--home", str(tmp_path), "notify", "run", env=env).exit_code == 0
    assert len(webhook.bodies("/hook")) == 1  # the same spell is not news twice
    collected("kubernetes", 0)  # recovered: nothing to say
    assert cli("--home", str(tmp_path), "notify", "run", env=env).exit_code == 0
    assert len(webhook.bodies("/hook")) == 1
    engine.dispose()
