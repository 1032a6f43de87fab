"""Prometheus metrics. HTTP metrics are counted in the API process; grading metrics are read from
the database (and queue depth from Redis) at scrape time, so they are exact across any number of
worker processes without prometheus' multiprocess mode."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from grader.db.models import Submission, SubmissionStatus
from grader.db.session import get_sessionmaker
from grader.queue import QUEUE_NAME, RedisClient, grading_queue
from grader.services.submissions import count_by_status

log = logging.getLogger(__name__)

DURATION_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600)


class GradingCollector(Collector):
    def __init__(self, database_url: str, redis: RedisClient) -> None:
        self.database_url = database_url
        self.redis = redis

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "grader_queue_depth", "Jobs waiting in the rq queue.", labels=["queue"]
        )
        try:
            depth.add_metric([QUEUE_NAME], len(grading_queue(self.redis, 60)))
        except Exception as exc:  # a scrape must not fail because RedisClient is down
            log.warning("queue depth unavailable: %s", exc)
        yield depth
        try:
            yield from self._from_database()
        except Exception as exc:
            log.warning("grading metrics unavailable: %s", exc)

    def _from_database(self) -> Iterator[Metric]:
        with get_sessionmaker(self.database_url)() as session:
            by_status = GaugeMetricFamily(
                "grader_submissions", "Submissions by status.", labels=["status"]
            )
            for status, count in count_by_status(session).items():
                by_status.add_metric([status.value], count)
            yield by_status

            verdicts = GaugeMetricFamily(
                "grader_gradings",
                "Finished gradings by verdict (a total; counts only grow).",
                labels=["verdict"],
            )
            for verdict, count in session.execute(
                select(Submission.verdict, func.count())
                .where(Submission.verdict.is_not(None))
                .group_by(Submission.verdict)
            ):
                verdicts.add_metric([str(verdict)], count)
            yield verdicts

            done = Submission.status == SubmissionStatus.COMPLETED
            columns = [
                func.sum(case((Submission.duration_ms <= int(b * 1000), 1), else_=0))
                for b in DURATION_BUCKETS
            ]
            row = session.execute(
                select(
                    func.count(), func.coalesce(func.sum(Submission.duration_ms), 0), *columns
                ).where(done)
            ).one()
            count, total_ms, *cumulative = row
            histogram = HistogramMetricFamily(
                "grader_grading_duration_seconds",
                "Time spent grading completed submissions.",
            )
            buckets = [
                (str(b), int(c or 0)) for b, c in zip(DURATION_BUCKETS, cumulative, strict=True)
            ]
            buckets.append(("+Inf", int(count)))
            histogram.add_metric([], buckets, sum_value=float(total_ms) / 1000)
            yield histogram


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "grader_http_requests",
            "HTTP requests served.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "grader_http_request_duration_seconds",
            "HTTP request latency.",
            ["method", "route"],
            registry=registry,
        )
