"""Who is asking: the bearer token of the API (`Authorization: Bearer <token>`), or the
dashboard's cookie `costplane_token` holding the same token; the header wins.

`principal` is the dependency every route and page uses; `allowed(right)` adds the role
check (403). No token, or one unknown, revoked or expired, is a 401 with a Bearer
challenge. A write (POST) authenticated by the cookie must come from this server's own
pages (`Origin`), against cross-site request forgery. Tokens are checked against the
state store on every request, so a revoked token stops working at once.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from costplane.service import (
    AccessDeniedError,
    Principal,
    Project,
    Right,
    authenticate,
    may,
    refusal,
)
from costplane.surfaces.server.problems import Unauthenticated
from costplane.surfaces.server.served import served_project

COOKIE = "costplane_token"

bearer = HTTPBearer(auto_error=False, description="A token from `costplane token create`")
cookie = APIKeyCookie(
    name=COOKIE, auto_error=False, description="The dashboard's login: the same token"
)


def principal(
    request: Request,
    header: HTTPAuthorizationCredentials | None = Depends(bearer),
    from_cookie: str | None = Depends(cookie),
    project: Project = Depends(served_project),
) -> Principal:
    """The principal of the request's token: the Authorization header's, else the cookie's."""
    if header is None and request.headers.get("authorization"):
        raise Unauthenticated("the Authorization header must be `Bearer <token>`")
    text = header.credentials if header is not None else from_cookie
    if not text:
        raise Unauthenticated("no token: send `Authorization: Bearer <token>`")
    if header is None and request.method not in SAFE_METHODS:
        _same_origin(request)
    found = authenticate(project, text)
    if found is None:
        raise Unauthenticated("the token is unknown, revoked or expired")
    return found


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _same_origin(request: Request) -> None:
    """A write authenticated by the cookie must come from this server's own pages: a
    browser sends the cookie with a form another site posts here too (cross-site request
    forgery), but it names that site in `Origin` (or `Referer`), which must be this host."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    host = request.headers.get("host")
    if origin is None or host is None or urlsplit(origin).netloc != host:
        raise AccessDeniedError(
            "a write with the login cookie must come from this server's pages (its Origin); "
            "a program sends `Authorization: Bearer <token>`"
        )


def allowed(right: Right) -> Callable[..., Principal]:
    """A dependency: the principal, who must hold `right` (403 otherwise)."""

    def holding(who: Principal = Depends(principal)) -> Principal:
        if not may(who, right):
            raise refusal(who, right)
        return who

    return holding
