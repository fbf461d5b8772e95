"""Partners' queries in the network's audit log: identity reads `reach.queried` from reach's
feed (it alone may) and keeps one row per query, as it keeps refused attempts."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.db import OutboxEvent
from services.reach.figures.questions import Question
from shared.ids import new_id
from shared.outbox import publish

QUERIED_TOPIC = "reach.queried"


async def record_partner_query(db: AsyncSession, *, subject: str, path: str,
                               question: Question, dimension: str | None = None) -> None:
    key = new_id()
    details = {"path": path, "from": question.start.isoformat(), "to": question.end.isoformat(),
               "filters": dict(question.filters)}
    if dimension:
        details["dimension"] = dimension
    await publish(db, OutboxEvent, topic=QUERIED_TOPIC, key=key, payload={
        "id": key, "organization_id": question.network_id, "actor_subject": subject,
        "action": "reach.query", "target_type": "network", "target_id": question.network_id,
        "details": details})
