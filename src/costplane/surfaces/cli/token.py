"""`costplane token create|list|revoke`: the bearer tokens of the REST API and dashboard.

`create` prints the token once, alone on its last line (scripts read it there); only its
SHA-256 is kept, so it cannot be shown again: a lost token is revoked and replaced.
"""

from __future__ import annotations

import typer

from costplane.service import (
    Role,
    TokenRequest,
    as_row,
    create_token,
    list_tokens,
    revoke_token,
    token_lifetime,
)
from costplane.surfaces.cli.output import Column, OutputFormat, err_console, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Bearer tokens of the REST API and dashboard: create, list, revoke.")

COLUMNS = [
    Column("id"),
    Column("role"),
    Column("tenant"),
    Column("subject"),
    Column("status"),
    Column("created_at", "created (UTC)"),
    Column("expires_at", "expires (UTC)"),
    Column("revoked_at", "revoked (UTC)"),
]


@app.command()
def create(
    ctx: typer.Context,
    role: Role = typer.Option(..., "--role", help="What the token may see and do."),
    tenant: str | None = typer.Option(
        None, "--tenant", help="With --role tenant: the tenant (a catalog id) it sees, alone."
    ),
    expires: str = typer.Option(
        "90d", "--expires", help="Valid for: a number and h, d or w (90d), or never."
    ),
    subject: str | None = typer.Option(
        None,
        "--subject",
        help="Who holds it, as the audit log names them (default: $COSTPLANE_ACTOR, else "
        "the login name).",
    ),
) -> None:
    """Make a token and print it once, alone on the last line; only its hash is kept."""
    request = TokenRequest(role, tenant, token_lifetime(expires), subject)
    issued = create_token(project_of(ctx), request)
    info = issued.info
    scope = f" of tenant {info.tenant}" if info.tenant else ""
    until = f"until {info.expires_at:%Y-%m-%d %H:%M} UTC" if info.expires_at else "until revoked"
    err_console.print(
        f"token {info.id}: role {info.role}{scope}, for {info.subject}, valid {until}. "
        "It is shown once, on the next line: keep it secret.",
        markup=False,
        soft_wrap=True,
    )
    typer.echo(issued.token)


@app.command("list")
def list_(
    ctx: typer.Context,
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Every token (never its secret): role, tenant, subject, and whether it is active."""
    rows = [as_row(token) for token in list_tokens(project_of(ctx))]
    render(rows, COLUMNS, output, title="tokens")


@app.command()
def revoke(
    ctx: typer.Context,
    token_id: str = typer.Argument(..., metavar="ID", help="The token's id (`token list`)."),
) -> None:
    """Revoke a token: it stops working at once."""
    revoked = revoke_token(project_of(ctx), token_id)
    err_console.print(f"token {revoked.id} revoked ({revoked.subject})", markup=False)
