"""The anti-forgery token every form of the dashboard posts back.

The session cookie is SameSite=Strict already; the form token is the second lock (a
browser without SameSite, a sibling subdomain): an HMAC of the session's token under a
key the server draws at start, so it is checked without storing anything and changes
with every login. A restart of the server invalidates open forms, not sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


class FormKey:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def token(self, session: str) -> str:
        """The form token of the session whose cookie holds `session`."""
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def accepts(self, session: str, posted: str) -> bool:
        return hmac.compare_digest(self.token(session), posted)
