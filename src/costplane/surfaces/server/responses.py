"""How a route answers: a service document as JSON, and the query parameters lists share."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from fastapi.responses import JSONResponse

from costplane.service import to_document

MAX_PAGE = 1000


def document(body: Any, status_code: int = 200) -> JSONResponse:
    """`body` through the CLI's one serialiser (decimals as strings, times ISO 8601)."""
    return JSONResponse(to_document(body), status_code=status_code)


def page(items: list[Any], limit: int, offset: int) -> JSONResponse:
    """One page of a whole list, with its total."""
    return document(
        {
            "items": items[offset : offset + limit],
            "total": len(items),
            "limit": limit,
            "offset": offset,
        }
    )


LIMIT = Query(100, ge=1, le=MAX_PAGE, description=f"Items per page (at most {MAX_PAGE})")
OFFSET = Query(0, ge=0, le=10_000_000, description="Items to skip: the page's first item")
PERIOD = Query(
    pattern=r"^[0-9]{4}-[0-9]{2}$",
    description="A calendar month, YYYY-MM",
    examples=["2026-10"],
)
