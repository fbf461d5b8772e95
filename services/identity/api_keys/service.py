"""Partner API keys: created by the partner's network, shown once, stored as a hash."""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.api_keys import repository
from services.identity.api_keys.models import ApiKey
from services.identity.api_keys.schemas import ApiKeyCreated
from services.identity.audit import service as audit
from services.identity.errors import ApiKeyNotFound
from services.identity.organizations.models import Organization
from services.identity.organizations.service import get_organization
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import InvalidInput
from shared.pagination import PageParams

KEY_PREFIX = "csk_"
# last_used_at is kept to within this much, so exchanging a key is not a write every time.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    # 256 random bits cannot be guessed, so a fast hash suffices (and lookups stay cheap).
    return hashlib.sha256(key.encode()).hexdigest()


def _require_partner_admin(actor: Principal, organization: Organization) -> None:
    access.require(access.administers(actor, organization.parent_id),
                   "Only platform admins and the partner's network admins manage its API keys.",
                   organization_id=organization.id)
    if organization.kind != "partner":
        raise InvalidInput("API keys belong to partner organizations.")


async def create_key(db: AsyncSession, actor: Principal, organization_id: str) -> ApiKeyCreated:
    organization = await get_organization(db, organization_id)
    _require_partner_admin(actor, organization)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(organization_id=organization.id, prefix=key[:12], key_hash=hash_key(key),
                 created_by=actor.subject)
    await repository.save(db, row)
    # Logged under the network, whose admins read its audit log.
    await audit.record(db, actor=actor.subject, action="api_key.create", target_type="api_key",
                       target_id=row.id, organization_id=organization.parent_id,
                       details={"partner_id": organization.id, "prefix": row.prefix})
    return ApiKeyCreated(id=row.id, organization_id=organization.id, key=key, prefix=row.prefix,
                         created_at=row.created_at)


async def list_keys(db: AsyncSession, actor: Principal, organization_id: str,
                    params: PageParams) -> tuple[list[ApiKey], str | None]:
    _require_partner_admin(actor, await get_organization(db, organization_id))
    return await repository.page(db, params, organization_id=organization_id)


async def revoke_key(db: AsyncSession, actor: Principal, key_id: str) -> None:
    row = await repository.get(db, key_id)
    if row is None:
        raise ApiKeyNotFound(f"No API key has id {key_id}.")
    organization = await get_organization(db, row.organization_id)
    _require_partner_admin(actor, organization)
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    await repository.save(db, row)
    await audit.record(db, actor=actor.subject, action="api_key.revoke", target_type="api_key",
                       target_id=row.id, organization_id=organization.parent_id,
                       details={"partner_id": organization.id, "prefix": row.prefix})


async def authenticate(db: AsyncSession, key: str) -> tuple[ApiKey, Organization] | None:
    if not key.startswith(KEY_PREFIX):
        return None
    found = await repository.active_by_hash(db, hash_key(key))
    if found is not None:
        now = utcnow()
        await repository.mark_used(db, found[0].id, at=now,
                                   unless_since=now - LAST_USED_RESOLUTION)
    return found
