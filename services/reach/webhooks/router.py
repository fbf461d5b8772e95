"""HTTP for webhook subscriptions and their delivery log (a network's admins only)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.reach.deps import CallerDep, SessionDep, SettingsDep
from services.reach.errors import NetworkNotFound
from services.reach.webhooks import service
from services.reach.webhooks.schemas import (
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
)
from shared.openapi import problem_responses
from shared.pagination import Page, PageDep

router = APIRouter(tags=["webhooks"])

SIGNING = ("Every delivery is a POST of JSON signed with the subscription's secret: "
           "Cascade-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">. "
           "See docs/webhooks.md.")


@router.post("/webhooks", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED,
             summary="Subscribe a URL to a network's events",
             description="422 unknown_network when network_id names no network. "
                         "month.final tells when a calendar month of the network is final "
                         "(ended, and the settle period passed). The secret is in this answer "
                         "only: store it now. " + SIGNING)
async def create_webhook(db: SessionDep, caller: CallerDep, settings: SettingsDep,
                         data: WebhookCreate, response: Response) -> WebhookCreated:
    row, secret = await service.create_subscription(db, caller.principal, data,
                                                    settings=settings)
    response.headers["Cache-Control"] = "no-store"
    return WebhookCreated(**WebhookPublic.model_validate(row).model_dump(), secret=secret)


@router.get("/webhooks", response_model=Page[WebhookPublic],
            responses=problem_responses(NetworkNotFound),
            summary="A network's webhook subscriptions (without their secrets)")
async def list_webhooks(db: SessionDep, caller: CallerDep, page: PageDep,
                        network_id: Annotated[str, Query(min_length=1, max_length=64)]
                        ) -> Page[WebhookPublic]:
    rows, cursor = await service.list_subscriptions(db, caller.principal, network_id=network_id,
                                                    params=page)
    return Page(items=[WebhookPublic.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/webhooks/{webhook_id}", response_model=WebhookPublic,
            summary="A webhook subscription")
async def get_webhook(db: SessionDep, caller: CallerDep, webhook_id: str) -> WebhookPublic:
    row = await service.managed_subscription(db, caller.principal, webhook_id)
    return WebhookPublic.model_validate(row)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a webhook subscription (its delivery log is kept)")
async def delete_webhook(db: SessionDep, caller: CallerDep, webhook_id: str) -> Response:
    await service.delete_subscription(db, caller.principal, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryPublic],
            summary="A subscription's deliveries, newest first, each with every attempt")
async def list_webhook_deliveries(db: SessionDep, caller: CallerDep, page: PageDep,
                                  webhook_id: str) -> Page[DeliveryPublic]:
    items, cursor = await service.list_deliveries(db, caller.principal, webhook_id, params=page)
    return Page(items=items, next_cursor=cursor)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}:redeliver",
             response_model=DeliveryPublic, status_code=status.HTTP_202_ACCEPTED,
             summary="Deliver again, now, with the same event id",
             description="The retry schedule starts over. 409 while an attempt is under way.")
async def redeliver_webhook_delivery(db: SessionDep, caller: CallerDep, webhook_id: str,
                                     delivery_id: str) -> DeliveryPublic:
    return await service.redeliver(db, caller.principal, webhook_id, delivery_id)
