"""Who may do what in scheduling: the rules every feature shares."""

from collections.abc import Iterable

from shared.auth import Principal

# What a refusal is audited on (shared/denials.py): ("session", session_id), say.
Target = tuple[str, str]

# Roles that run a network's events: they create and edit events and manage their rosters.
STAFF_ROLES = ("network_admin", "leader", "coordinator")


def is_staff(principal: Principal | None, network_id: str) -> bool:
    return principal is not None and principal.has_role(network_id, *STAFF_ROLES)


def staff_networks(principal: Principal | None) -> set[str]:
    return principal.organizations_with(*STAFF_ROLES) if principal else set()


def can_see(principal: Principal | None, *, network_id: str, status: str) -> bool:
    """Published events are public; drafts and cancelled events only to the network's staff."""
    return status == "published" or is_staff(principal, network_id)


def is_facilitator(principal: Principal | None, facilitator_ids: Iterable[str]) -> bool:
    return bool(principal and principal.person_id) and principal.person_id in facilitator_ids


def runs_session(principal: Principal | None, *, network_id: str,
                 facilitator_ids: Iterable[str]) -> bool:
    """Staff of the network or a facilitator of the session: may see rosters and check people in."""
    return is_staff(principal, network_id) or is_facilitator(principal, facilitator_ids)
