"""bench/bench_assessments.py at a tiny size, so that it does not rot: its seeding makes what the
service itself would keep (totals, review flags), every request it measures answers what the
seeded data says, and no request's SQL statements grow with the number of candidates."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from grader.config import REPO_ROOT
from grader.db.models import Invitation
from grader.db.session import get_sessionmaker
from grader.queue import RedisClient
from grader.services import scorecards
from tests.unit.conftest import REDIS_URL

sys.path.insert(0, str(REPO_ROOT / "bench"))
import bench_assessments as bench


@pytest.fixture
def seeded(tmp_path: Path) -> bench.Seeded:
    return bench.seed(f"sqlite:///{tmp_path / 'five.db'}", 5, 40, tmp_path / "catalog")


def test_the_seeded_totals_are_the_services(seeded: bench.Seeded) -> None:
    assert seeded.submissions == 40
    compared = 0
    with get_sessionmaker(seeded.url)() as session:
        for invitation in session.scalars(select(Invitation)):
            stored = (invitation.score, invitation.needs_review)
            if invitation.score is None:  # never started, or nothing done yet
                assert invitation.started_at is None or invitation.finished_at is None
                continue
            scorecards.refresh(session, invitation)
            assert stored == (invitation.score, invitation.needs_review), invitation.id
            card = scorecards.scorecard(session, invitation)
            assert card.total == invitation.score
            compared += 1
    assert compared > 0, "no seeded invitation has a score to compare"


def test_every_request_answers_the_seeded_data(
    seeded: bench.Seeded, tmp_path: Path, unit_redis: RedisClient
) -> None:
    bigger = bench.seed(f"sqlite:///{tmp_path / 'twelve.db'}", 12, 90, tmp_path / "catalog")
    statements: dict[str, set[int]] = {}
    for data in (seeded, bigger):
        with bench.serving(data, REDIS_URL) as app:
            for probe in bench.PROBES + bench.PAGES:
                _, queries, _ = app.call(probe)  # checks the answer against the seeded rows
                statements.setdefault(probe.name, set()).add(queries)
    assert all(len(counts) == 1 for counts in statements.values()), statements


def test_time_used_sorts_by_the_time_used(seeded: bench.Seeded, unit_redis: RedisClient) -> None:
    """On SQLite, which keeps datetimes as text, `finished - started` once subtracted years."""
    order = bench.expected_order(seeded, "time_used", descending=False)
    with bench.serving(seeded, REDIS_URL) as app:
        answer = app.http.get(
            f"/api/v1/assessments/{seeded.slug}/invitations?sort=time_used",
            headers={"Authorization": f"Bearer {seeded.staff_token}"},
        )
    assert [i["id"] for i in answer.json()["items"]] == order
