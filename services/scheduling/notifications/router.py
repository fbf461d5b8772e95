"""HTTP for notifications: the mailbox (read only; messages are queued by the other features)."""

from fastapi import APIRouter

from services.scheduling.deps import PageDep, PrincipalDep, SessionDep
from services.scheduling.notifications import service
from services.scheduling.notifications.schemas import NotificationPublic, NotificationStatus
from shared.pagination import Page

router = APIRouter(tags=["notifications"])


@router.get("/me/messages", response_model=Page[NotificationPublic],
            summary="The caller's messages, newest first")
async def list_my_messages(db: SessionDep, principal: PrincipalDep,
                           page: PageDep) -> Page[NotificationPublic]:
    items, next_cursor = await service.my_messages(db, principal=principal, params=page)
    return Page[NotificationPublic](
        items=[NotificationPublic.model_validate(m) for m in items], next_cursor=next_cursor)


@router.get("/messages", response_model=Page[NotificationPublic],
            summary="Every message, newest first (platform admins)")
async def list_messages(db: SessionDep, principal: PrincipalDep, page: PageDep,
                        status: NotificationStatus | None = None) -> Page[NotificationPublic]:
    items, next_cursor = await service.all_messages(db, principal=principal, status=status,
                                                    params=page)
    return Page[NotificationPublic](
        items=[NotificationPublic.model_validate(m) for m in items], next_cursor=next_cursor)
