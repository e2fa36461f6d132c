"""Errors as RFC 9457 problem documents (`application/problem+json`), for every 4xx and 5xx.

Costplane's own errors map to a status by their type (bad input 400, a thing named that
is not there 404, no right 403, a store unreachable 503); FastAPI's validation errors
and Starlette's (an unknown route, a wrong method) become problems too. An unexpected
exception is a 500 that says nothing of its cause: the traceback goes to the server's
log, never to the client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from costplane.errors import CostplaneError, InputError, NotFoundError, ServiceUnavailableError
from costplane.service import AccessDeniedError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("costplane.server")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem")
    title: str = Field(description="The HTTP status's phrase")
    status: int
    detail: str = Field(description="What went wrong, for a person")
    errors: list[str] | None = Field(
        default=None, description="Each invalid parameter, for a request that did not validate"
    )


class Unauthenticated(Exception):  # noqa: N818 (a signal to the handler, not an error kind)
    """No token, or one that is unknown, revoked or expired: 401 with a Bearer challenge."""


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, **extra)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON
    )


def status_of(error: CostplaneError) -> int:
    if isinstance(error, AccessDeniedError):
        return 403
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, InputError):
        return 400
    if isinstance(error, ServiceUnavailableError):
        return 503
    return 500


def add_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(CostplaneError)
    def costplane_error(_request: Request, error: CostplaneError) -> JSONResponse:
        return problem(status_of(error), "; ".join(error.lines()))

    @app.exception_handler(Unauthenticated)
    def unauthenticated(_request: Request, error: Unauthenticated) -> JSONResponse:
        response = problem(401, str(error))
        response.headers["WWW-Authenticate"] = 'Bearer realm="costplane"'
        return response

    @app.exception_handler(RequestValidationError)
    def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [_invalid(item) for item in error.errors()]
        return problem(422, "the request is not valid: " + "; ".join(errors), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        response = problem(error.status_code, str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return problem(500, f"unexpected {type(error).__name__}: see the server's log")


def _invalid(item: Any) -> str:
    where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
    return f"{where}: {item.get('msg', 'invalid')}"


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status in (400, 401, 403, 404, 422, 500, 503)
}
"""The error responses every API route declares (OpenAPI)."""
