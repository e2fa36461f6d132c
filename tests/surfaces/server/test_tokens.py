"""Tokens: printed once, alone on the last line; kept as a SHA-256 only; listed without
their secret; revoked or expired, they stop working. On SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from costplane.service import (
    Principal,
    Project,
    Role,
    TokenRequest,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)
from costplane.settings import Settings
from costplane.state import state_engine, upgrade
from costplane.surfaces.cli import app
from tests.conftest import Demo
from tests.surfaces.server.conftest import TENANT, copy_project


@pytest.fixture(scope="module")
def home(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(demo.home, tmp_path_factory.mktemp("tokens") / "demo")


def run(home: Path, *args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, ["--home", str(home), "token", *args])
    return done.exit_code, done.stdout, done.stderr


def stored_rows(project: Project) -> list[dict[str, object]]:
    with project.state().connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_tokens"))
        return [dict(row._mapping) for row in rows]


def test_create_prints_the_token_alone_on_its_last_line_and_keeps_its_hash(home: Path) -> None:
    code, out, err = run(
        home, "create", "--role", "tenant", "--tenant", TENANT, "--subject", "acme-portal"
    )
    assert code == 0, err
    token = out.splitlines()[-1]
    assert token == out.strip()  # alone: nothing else on stdout
    prefix, token_id, secret = token.split("_", 2)
    assert prefix == "cpt"
    assert len(secret) == 43  # 32 random bytes, URL-safe base64
    assert f"token {token_id}: role tenant of tenant {TENANT}, for acme-portal" in err
    project = Project(Settings(home=home))
    [row] = [r for r in stored_rows(project) if r["id"] == token_id]
    assert row["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(row, default=str)
    assert authenticate(project, token) == Principal("acme-portal", Role.TENANT, TENANT)


def test_list_never_shows_a_secret_and_revoke_stops_a_token_at_once(home: Path) -> None:
    code, out, _ = run(home, "create", "--role", "viewer", "--expires", "never")
    token = out.strip()
    token_id = token.split("_")[1]
    project = Project(Settings(home=home))
    assert authenticate(project, token) is not None
    code, listed, _ = run(home, "list", "-o", "json")
    assert code == 0
    assert token.split("_", 2)[2] not in listed
    [entry] = [t for t in json.loads(listed) if t["id"] == token_id]
    assert (entry["role"], entry["status"], entry["expires_at"]) == ("viewer", "active", None)
    code, _, err = run(home, "revoke", token_id)
    assert code == 0, err
    assert authenticate(project, token) is None
    [entry] = [t for t in json.loads(run(home, "list", "-o", "json")[1]) if t["id"] == token_id]
    assert entry["status"] == "revoked"
    code, _, err = run(home, "revoke", "0000000000000000")
    assert code == 2
    assert "no token '0000000000000000'" in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "tenant", "--tenant", "no-such-tenant"], "no such tenant in the catalog"),
        (["--role", "tenant"], "a tenant token needs --tenant"),
        (["--role", "admin", "--tenant", TENANT], "--tenant is for tenant tokens only"),
        (["--role", "admin", "--expires", "soon"], "--expires 'soon'"),
        (["--role", "overlord"], "overlord"),
    ],
)
def test_a_bad_request_exits_2_and_writes_nothing(home: Path, args: list[str], says: str) -> None:
    project = Project(Settings(home=home))
    before = len(stored_rows(project))
    code, out, err = run(home, "create", *args)
    assert code == 2
    assert says in err
    assert out == ""
    assert len(stored_rows(project)) == before


def test_an_expired_or_altered_token_is_nobody(home: Path) -> None:
    project = Project(Settings(home=home))
    short = create_token(project, TokenRequest(Role.ADMIN, expires=dt.timedelta(microseconds=1)))
    assert authenticate(project, short.token) is None
    assert [t.status for t in list_tokens(project) if t.id == short.info.id] == ["expired"]
    good = create_token(project, TokenRequest(Role.ADMIN)).token
    assert authenticate(project, good) is not None
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert authenticate(project, altered) is None
    assert authenticate(project, good + "x") is None
    assert authenticate(project, "") is None


@pytest.mark.postgres
def test_the_token_store_works_on_postgresql(home: Path, postgres_url: str) -> None:
    engine = state_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    project = Project(Settings(home=home, state_url=postgres_url))
    issued = create_token(project, TokenRequest(Role.TENANT, TENANT, subject="pg"))
    assert authenticate(project, issued.token) == Principal("pg", Role.TENANT, TENANT)
    assert [t.id for t in list_tokens(project)] == [issued.info.id]
    revoke_token(project, issued.info.id)
    assert authenticate(project, issued.token) is None
    project.close()


def test_serve_in_a_directory_that_is_no_project_exits_2(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["--home", str(tmp_path), "serve", "--port", "1"])
    assert done.exit_code == 2
    assert "no catalog here" in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing created
