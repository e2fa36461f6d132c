"""The routes of the capabilities that came after cost and findings: entitlements and DR,
recommendations, forecasts, budgets and anomalies, drift, and statements, as one router
the application includes under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from costplane.surfaces.server import (
    budgets,
    drift,
    entitlements,
    forecasts,
    recommendations,
    statements,
)


def later_capabilities() -> APIRouter:
    router = APIRouter()
    for part in (entitlements, recommendations, forecasts, budgets, drift, statements):
        router.include_router(part.router)
    return router
