"""Mail from identity, sent through scheduling's notification queue.

Identity never talks to a mail server: it writes a `mail.requested` event to its outbox in the
transaction of the change the mail is about (so mail about a rolled-back change never exists),
and scheduling's consumer of identity's feed queues each one, once per `dedupe_key`.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.db import OutboxEvent
from shared.ids import new_id
from shared.outbox import publish

TOPIC = "mail.requested"
# Who may read these events in identity's feed: the service that queues and sends mail. To every
# other reader (reach) the feed carries no names, addresses or links.
MAIL_READERS = frozenset({"service:scheduling"})
SIGNATURE = "\n\n— Cascade"


async def request_mail(db: AsyncSession, *, to_email: str, person_id: str | None, subject: str,
                       body: str, dedupe_key: str) -> None:
    """person_id only when the mail belongs to that person's account whoever reads it (a
    password reset); mail that proves an address goes to the address alone (person_id None)."""
    await publish(db, OutboxEvent, topic=TOPIC, key=new_id(), payload={
        "to_email": to_email, "person_id": person_id, "subject": subject[:300],
        "body": body + SIGNATURE, "dedupe_key": dedupe_key[:200],
    })
