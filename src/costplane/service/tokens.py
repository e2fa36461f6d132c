"""The API's bearer tokens: made (the secret shown once), listed, revoked, and checked.

A token reads `cpt_<id>_<secret>`: the id is public (listed, revoked by), the secret is 32
random bytes, URL-safe base64. Only the secret's SHA-256 is kept: a secret of 256 random
bits needs no slow, salted hash (nobody can guess it to compare against a stolen digest),
and the check compares digests in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from costplane.actions import current_actor
from costplane.errors import InputError
from costplane.service.access import Principal, Role
from costplane.service.project import Project
from costplane.state import ApiToken, add_token, kept_token, kept_tokens, mark_revoked

PREFIX = "cpt"
_TOKEN = re.compile(r"^cpt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_LIFETIME = re.compile(r"^([1-9][0-9]{0,4})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class TokenRequest:
    role: Role
    tenant: str | None = None
    """For a tenant token: the catalog id of the tenant it sees (and only it)."""
    expires: dt.timedelta | None = dt.timedelta(days=90)
    """How long it is valid; None: until revoked."""
    subject: str | None = None
    """Who holds it, as the audit log names them (default: $COSTPLANE_ACTOR, else the login)."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: everything but its secret."""

    id: str
    role: Role
    tenant: str | None
    subject: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: str
    """active, expired or revoked."""


@dataclass(frozen=True)
class IssuedToken:
    info: TokenInfo
    token: str
    """The bearer token's text: shown once, never kept."""


def token_lifetime(text: str) -> dt.timedelta | None:
    """`90d`, `12h`, `4w` as a duration; `never` as None (valid until revoked)."""
    if text == "never":
        return None
    found = _LIFETIME.match(text)
    if found is None:
        raise InputError(f"--expires {text!r}: expected a number and h, d or w (90d), or never")
    return dt.timedelta(**{_UNITS[found[2]]: int(found[1])})


def create_token(project: Project, request: TokenRequest) -> IssuedToken:
    """A new token; a tenant token must name a tenant of the catalog (InputError)."""
    if request.role is Role.TENANT:
        if request.tenant is None:
            raise InputError("a tenant token needs --tenant (the catalog id it may see)")
        if project.catalog().tenant(request.tenant) is None:
            raise InputError(f"--tenant {request.tenant!r}: no such tenant in the catalog")
    elif request.tenant is not None:
        raise InputError(f"--tenant is for tenant tokens only, not for the role {request.role}")
    if request.expires is not None and request.expires <= dt.timedelta(0):
        raise InputError("--expires must be a positive duration")
    now = _now()
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    kept = ApiToken(
        id=token_id,
        secret_sha256=_digest(secret),
        role=request.role.value,
        tenant=request.tenant,
        subject=current_actor(request.subject),
        created_at=now,
        expires_at=None if request.expires is None else now + request.expires,
        revoked_at=None,
    )
    add_token(project.state(), kept)
    return IssuedToken(_info(kept, now), f"{PREFIX}_{token_id}_{secret}")


def list_tokens(project: Project) -> list[TokenInfo]:
    now = _now()
    return [_info(token, now) for token in kept_tokens(project.state(create=False))]


def revoke_token(project: Project, token_id: str) -> TokenInfo:
    revoked = mark_revoked(project.state(create=False), token_id, _now())
    if revoked is None:
        raise InputError(f"no token {token_id!r} (see `costplane token list`)")
    return _info(revoked, _now())


def authenticate(project: Project, text: str) -> Principal | None:
    """Who a bearer token's text stands for; None when it is malformed, unknown, revoked
    or expired."""
    found = _TOKEN.match(text)
    if found is None:
        return None
    kept = kept_token(project.state(create=False), found[1])
    if kept is None or not hmac.compare_digest(kept.secret_sha256, _digest(found[2])):
        return None
    if _status(kept, _now()) != "active":
        return None
    role = Role(kept.role)
    return Principal(kept.subject, role, kept.tenant if role is Role.TENANT else None)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _status(token: ApiToken, now: dt.datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def _info(token: ApiToken, now: dt.datetime) -> TokenInfo:
    return TokenInfo(
        id=token.id,
        role=Role(token.role),
        tenant=token.tenant,
        subject=token.subject,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        status=_status(token, now),
    )
