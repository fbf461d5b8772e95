"""The networks a user acts in, from their memberships (a platform admin acts in every one)."""

from web.auth import User
from web.clients import Clients
from web.clients.identity import Organization


async def networks_where(clients: Clients, user: User,
                         roles: tuple[str, ...]) -> list[Organization]:
    if user.is_admin:
        return await clients.identity.organizations(user.token, kind="network")
    me = await clients.identity.me(user.token)
    seen: dict[str, Organization] = {}
    for membership in me.memberships:
        if membership.organization_kind == "network" and membership.role in roles:
            seen.setdefault(membership.organization_id, Organization(
                id=membership.organization_id, name=membership.organization_name, kind="network"))
    return list(seen.values())
