"""The catalog as candidates see it: prompt and starter files, never the hidden suite."""

from __future__ import annotations

from fastapi import APIRouter

from grader.api.deps import CurrentPrincipal, SessionDep
from grader.api.schemas import ChallengeDetail, ChallengeSummary
from grader.services import challenges

router = APIRouter(prefix="/challenges", tags=["challenges"])


@router.get("")
def list_challenges(_: CurrentPrincipal, session: SessionDep) -> list[ChallengeSummary]:
    return [ChallengeSummary.of(c) for c in challenges.list_active(session)]


@router.get("/{slug}")
def read_challenge(slug: str, principal: CurrentPrincipal, session: SessionDep) -> ChallengeDetail:
    return ChallengeDetail.of(
        challenges.get_challenge(session, slug, include_archived=principal.is_admin)
    )
