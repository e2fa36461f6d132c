"""The size a request may have: a query string or a body larger than any route needs is
refused (414, 413: a problem document) before anything parses it.

Behind uvicorn a request line over its limit is refused by the HTTP parser already, but
a body is not bounded there at all: a route that takes JSON would read a gigabyte into
memory. These bounds hold in every transport (the tests' in-process one too) and answer
as every other error does. The longest real query (a showback `by` of every dimension, a
findings filter) is well under a kilobyte; the largest real body (an action plan of a
thousand namespaces and a thousand findings) about 130 KB.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from costplane.surfaces.server.problems import problem

MAX_QUERY_BYTES = 8192
MAX_BODY_BYTES = 1024 * 1024


class BoundedRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            answer = problem(414, f"the query string is longer than {MAX_QUERY_BYTES} bytes")
            await answer(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit():  # uvicorn's parser refuses it first; other transports
            await problem(400, "the Content-Length header is not a number")(scope, receive, send)
            return
        if int(declared) > MAX_BODY_BYTES:
            await problem(413, _too_large())(scope, receive, send)
            return
        await self.app(scope, _bounded(receive), send)


def _bounded(receive: Receive) -> Receive:
    """`receive`, refusing a body sent in chunks that grows past the bound (no length
    declared): the route reading it answers 413 as the problem handlers do."""
    received = 0

    async def bounded() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise HTTPException(413, _too_large())
        return message

    return bounded


def _too_large() -> str:
    return f"the request's body is larger than {MAX_BODY_BYTES} bytes"


def bound_requests(app: FastAPI) -> None:
    app.add_middleware(BoundedRequests)
