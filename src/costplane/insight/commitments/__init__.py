"""Commitments: the stable baseline of what the bill runs by the hour, the commitment that
saves most on it at the catalog's discounts, and the bill's current commitments' use
(docs/rightsizing.md)."""

from costplane.insight.commitments.current import current_commitments
from costplane.insight.commitments.hourly import HourlyUsage, hourly_usage
from costplane.insight.commitments.plan import (
    CommitmentRecommendation,
    Commitments,
    CommitmentUse,
    recommend,
)
from costplane.insight.commitments.read import recommend_commitments

__all__ = [
    "CommitmentRecommendation",
    "CommitmentUse",
    "Commitments",
    "HourlyUsage",
    "current_commitments",
    "hourly_usage",
    "recommend",
    "recommend_commitments",
]
