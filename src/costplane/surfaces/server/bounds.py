"""The size a request may have: a query string longer than any route needs is refused
(414, a problem document) before anything parses it.

Behind uvicorn a request line over its limit is refused by the HTTP parser already; this
bound holds in every transport (the tests' in-process one too) and answers as every
other error does. The longest real query (a showback `by` of every dimension, a findings
filter) is well under a kilobyte.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from costplane.surfaces.server.problems import problem

MAX_QUERY_BYTES = 8192


class BoundedRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            answer = problem(414, f"the query string is longer than {MAX_QUERY_BYTES} bytes")
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)


def bound_requests(app: FastAPI) -> None:
    app.add_middleware(BoundedRequests)
