"""The model a scrape exposes, gathered again only when the data under it changed.

Gathering runs the reports (showback, chargeback, reconcile, budgets) and reads every
finding: seconds over a 5,000-tenant warehouse, while Prometheus scrapes every 15 to
60 s. Each scrape asks the service for the stamp of what changed (`metrics_stamp`:
one aggregate over `allocations`, the loads registry, three small queries on the state
store, the catalog file's stat) and reuses the model while the stamp is the same.
One lock: scrapes that arrive while the model is gathered wait for it rather than
gather it again.
"""

from __future__ import annotations

import threading

from costplane.service import Metrics, MetricsStamp, Project, gather_metrics, metrics_stamp


class MetricsCache:
    def __init__(self, project: Project) -> None:
        self._project = project
        self._lock = threading.Lock()
        self._stamp: MetricsStamp | None = None
        self._metrics: Metrics | None = None
        self.gathered = 0
        """How many times the model was gathered (the tests count recomputations)."""

    def current(self) -> Metrics:
        with self._lock:
            stamp = metrics_stamp(self._project)
            if self._metrics is None or stamp != self._stamp:
                self._metrics = gather_metrics(self._project)
                self._stamp = stamp
                self.gathered += 1
            return self._metrics
