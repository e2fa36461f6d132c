"""Signing in to the dashboard: a token pasted once, kept in a cookie the page's scripts
cannot read (HttpOnly) and other sites cannot send (SameSite=Strict)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from costplane.surfaces.web.forms import FormKey
from costplane.surfaces.web.viewer import Identify, Viewer

COOKIE = "costplane_token"
"""The cookie the API's principal dependency reads too, after `Authorization: Bearer`."""


class SignInNeededError(Exception):
    """No session, or its token is no longer accepted: the login page, then back here."""


class PageRefusedError(Exception):
    """An error page with its status: 403 outside a tenant's scope, 404, 400 for bad input."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Session:
    viewer: Viewer
    form_token: str


@dataclass(frozen=True)
class Sessions:
    identify: Identify
    forms: FormKey

    def of(self, request: Request) -> Session:
        secret = request.cookies.get(COOKIE)
        viewer = self.identify(secret) if secret else None
        if viewer is None or secret is None:
            raise SignInNeededError
        return Session(viewer, self.forms.token(secret))

    def check_form(self, request: Request, posted: str) -> Session:
        """The session of a form's POST, refused (403) when its form token is not this
        session's: a form another site made the browser send."""
        session = self.of(request)
        secret = request.cookies.get(COOKIE, "")
        if not self.forms.accepts(secret, posted):
            raise PageRefusedError(403, "this form has expired or was not sent from this dashboard")
        return session
