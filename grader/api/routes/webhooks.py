"""Webhook deliveries: what was sent where, each attempt, and sending again (admins)."""

from __future__ import annotations

from fastapi import APIRouter, status

from grader.api.deps import AdminUser, RowId, SessionDep
from grader.api.schemas import WebhookDeliveryOut, error_responses
from grader.services import webhooks

router = APIRouter(tags=["webhooks"], responses=error_responses(401, 403, 422))


@router.get("/submissions/{submission_id}/deliveries", responses=error_responses(404))
def list_deliveries(
    submission_id: RowId, _: AdminUser, session: SessionDep
) -> list[WebhookDeliveryOut]:
    """Every delivery of the submission's events, oldest first, with each attempt."""
    return [
        WebhookDeliveryOut.model_validate(d) for d in webhooks.deliveries_of(session, submission_id)
    ]


@router.get("/webhook-deliveries/{delivery_id}", responses=error_responses(404))
def read_delivery(delivery_id: RowId, _: AdminUser, session: SessionDep) -> WebhookDeliveryOut:
    return WebhookDeliveryOut.model_validate(webhooks.get_delivery(session, delivery_id))


@router.post(
    "/webhook-deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(404),
)
def redeliver(delivery_id: RowId, admin: AdminUser, session: SessionDep) -> WebhookDeliveryOut:
    """Send the same event again, as a new delivery (a fresh signature); a worker sends it
    within the reaper's interval."""
    return WebhookDeliveryOut.model_validate(webhooks.redeliver(session, delivery_id, admin.id))
