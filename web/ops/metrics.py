"""Prometheus metrics: request latency per route template, verdicts served per status, catalog version.

Each app gets its own registry (several apps in one test process must not collide). With several
uvicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty writable directory: counters and
histograms are then summed over the workers at ``/metrics``; the catalog gauges are those of the
worker that answers (every worker serves the same current version).
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class CatalogCollector:
    """Reads the catalog being served at scrape time (no state to keep in sync)."""

    def __init__(self, catalog_of: Callable[[], Any]):
        self.catalog_of = catalog_of

    def collect(self) -> Iterator[Any]:
        catalog = self.catalog_of()
        info = InfoMetricFamily("shien_catalog", "The catalog version being served (id:content hash)")
        info.add_metric([], {"version": (catalog.version or "") if catalog is not None else ""})
        yield info
        programs = GaugeMetricFamily("shien_catalog_programs", "Programs in the catalog being served")
        programs.add_metric([], len(catalog) if catalog is not None else 0)
        yield programs
        version_id = GaugeMetricFamily("shien_catalog_version_id", "Id of the catalog version being served (0: none)")
        version_id.add_metric([], _version_id(catalog))
        yield version_id


def _version_id(catalog: Any) -> int:
    try:
        return int(str(catalog.version).split(":", 1)[0]) if catalog is not None else 0
    except ValueError:
        return 0


class Metrics:
    def __init__(self, catalog_of: Callable[[], Any]):
        self.registry = CollectorRegistry()
        self.latency = Histogram("shien_http_request_duration_seconds", "Request latency by route template",
                                 ["method", "route", "status"], buckets=BUCKETS, registry=self.registry)
        self.verdicts = Counter("shien_verdicts", "Verdicts served in recommendations, by status", ["status"],
                                registry=self.registry)
        self.catalog = CatalogCollector(catalog_of)
        self.registry.register(self.catalog)

    def count_verdicts(self, statuses: Iterable[str]) -> None:
        for status, n in collections.Counter(statuses).items():
            self.verdicts.labels(status=status).inc(n)

    def exposition(self) -> tuple[bytes, str]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            registry.register(self.catalog)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def count_verdicts(app: Any, statuses: Iterable[str]) -> None:
    """Count the verdicts an answer showed (the API's, the owner's results, a client in the console)."""
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is not None:
        metrics.count_verdicts(statuses)
