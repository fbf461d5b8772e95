"""Who may read a network's figures, and how: exactly, or as a partner's suppressed aggregates."""

from dataclasses import dataclass

from fastapi import Request

from services.reach.errors import NotAllowedForNetwork, TooManyQueries
from shared.auth import Principal, PrincipalDep
from shared.ratelimit import TokenBucket

EXACT_ROLES = ("network_admin", "analyst", "coordinator", "leader")


@dataclass(frozen=True)
class ReachCaller:
    principal: Principal
    partner_networks: frozenset[str]

    def sees_exact_figures(self, network_id: str) -> bool:
        """True for exact figures, False for suppressed aggregates; anyone else is refused."""
        if self.principal.kind != "partner" and self.principal.has_role(network_id, *EXACT_ROLES):
            return True
        if self.principal.kind == "partner" and network_id in self.partner_networks:
            return False
        raise NotAllowedForNetwork("You may not read this network's reach figures."
                                   ).denying("network", network_id, network_id)


def partner_quota(app) -> TokenBucket:
    if not hasattr(app.state, "partner_quota"):
        settings = app.state.settings
        app.state.partner_quota = TokenBucket(burst=settings.partner_query_burst,
                                              per_second=settings.partner_queries_per_second)
    return app.state.partner_quota


async def reach_caller(request: Request, principal: PrincipalDep) -> ReachCaller:
    if principal.kind != "partner":
        return ReachCaller(principal=principal, partner_networks=frozenset())
    # A partner's key is limited per key: a script that walks every filter and window to
    # difference the answers runs out of queries long before it runs out of combinations.
    wait = partner_quota(request.app).take(principal.subject)
    if wait:
        raise TooManyQueries(wait)
    return ReachCaller(principal=principal, partner_networks=principal.networks)
