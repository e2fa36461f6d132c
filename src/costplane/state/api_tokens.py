"""The API's tokens as kept: added, listed, found by id, revoked. Secrets are never here,
only their SHA-256 (the service layer makes and checks them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from costplane.state.models import ApiToken
from costplane.state.store import open_session


def add_token(engine: Engine, token: ApiToken) -> None:
    with open_session(engine) as session, session.begin():
        session.add(token)
        session.flush()
        session.expunge(token)


def kept_tokens(engine: Engine) -> list[ApiToken]:
    """Every token, revoked and expired ones too, oldest first."""
    with open_session(engine) as session:
        found = list(session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)))
        session.expunge_all()
        return found


def kept_token(engine: Engine, token_id: str) -> ApiToken | None:
    with open_session(engine) as session:
        found = session.get(ApiToken, token_id)
        if found is not None:
            session.expunge(found)
        return found


def mark_revoked(engine: Engine, token_id: str, at: dt.datetime) -> ApiToken | None:
    """Revoke a token (a revoked one keeps its first revocation time); None if unknown."""
    with open_session(engine) as session, session.begin():
        found = session.get(ApiToken, token_id)
        if found is None:
            return None
        if found.revoked_at is None:
            found.revoked_at = at
        session.flush()
        session.expunge(found)
        return found
