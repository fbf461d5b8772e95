"""Who may do what, as plain predicates over the caller's token (no database, no FastAPI).

Roles come from the access token: memberships active on the day it was signed.
"""

from shared.auth import Principal
from shared.errors import Forbidden

# People records hold personal data: only those who run programs see them.
PEOPLE_MANAGERS = ("network_admin", "coordinator")
MEMBER_READERS = ("network_admin", "coordinator", "leader", "analyst")
ADMIN_ONLY_KINDS = {"network", "funder", "university", "association"}
STAFF_KINDS = {"county_office", "district", "school"}
# What Cascade's services read here with their own tokens, beyond the ended sessions every one
# polls: scheduling looks people up, matches sign-in sheet lines and reads a network's members;
# scheduling (its mail) and reach (people's places and roles) read the feed. Evidence neither.
PEOPLE_SERVICES = frozenset({"service:scheduling"})
FEED_READERS = frozenset({"service:scheduling", "service:reach"})


def require(allowed: bool, detail: str, *, organization_id: str | None = None) -> None:
    """Refuses unless allowed; a refusal concerning an organization (its members, its log, ...)
    is audited under it (and its networks) when the caller had a credential."""
    if not allowed:
        error = Forbidden(detail)
        raise error.denying("organization", organization_id, organization_id) \
            if organization_id else error


def is_user(actor: Principal) -> bool:
    return actor.kind == "user"


def reads_people_as_service(actor: Principal) -> bool:
    return actor.is_service and actor.subject in PEOPLE_SERVICES


def manages_people(actor: Principal) -> bool:
    """Platform admins, network admins and coordinators of any organization, and the services
    that read people."""
    if actor.kind == "partner":
        return False
    if actor.is_platform_admin or reads_people_as_service(actor):
        return True
    return bool(actor.organizations_with(*PEOPLE_MANAGERS))


def people_scope(actor: Principal) -> set[str] | None:
    """The organizations whose people the caller sees; None for everyone (platform admins, and
    the services that read people, for the users they have already authorized)."""
    if actor.is_platform_admin or reads_people_as_service(actor):
        return None
    if not is_user(actor):
        return set()
    return actor.organizations_with(*PEOPLE_MANAGERS)


def may_create_organization(actor: Principal, kind: str, parent_id: str | None) -> bool:
    if actor.is_platform_admin:
        return True
    if not is_user(actor):
        return False
    if kind in STAFF_KINDS:
        # Network admins' networks span districts; a coordinator adds a school only to a
        # district (or county office) they hold their role in.
        if parent_id is None or actor.organizations_with("network_admin"):
            return bool(actor.organizations_with(*PEOPLE_MANAGERS))
        return actor.has_role(parent_id, *PEOPLE_MANAGERS)
    if kind == "partner":
        return actor.has_role(parent_id, "network_admin")
    return False


def administers(actor: Principal, organization_id: str | None) -> bool:
    """Platform admin, or network_admin of this organization (token holders of kind user only)."""
    return actor.is_platform_admin or (is_user(actor) and actor.has_role(organization_id,
                                                                         "network_admin"))


def reads_members(actor: Principal, organization_id: str) -> bool:
    if actor.is_platform_admin or reads_people_as_service(actor):
        return True
    return is_user(actor) and actor.has_role(organization_id, *MEMBER_READERS)


def match_powers(actor: Principal, acting: Principal | None, network_id: str) -> str | None:
    """What a caller may do when matching sign-in sheet people for a network: "staff" (create
    people, and unverified schools and districts), "facilitator" (create people only) or None.

    A service speaks for the user named in Cascade-Acting-User, after checking that the user
    facilitates the session (the service's word: identity does not know sessions); the user's own
    roles decide whether organizations may be created. Users may call directly as staff only."""
    if actor.is_service:
        if acting is None or not is_user(acting) or not reads_people_as_service(actor):
            return None
        return "staff" if acting.has_role(network_id, *PEOPLE_MANAGERS) else "facilitator"
    if is_user(actor) and actor.has_role(network_id, *PEOPLE_MANAGERS):
        return "staff"
    return None
