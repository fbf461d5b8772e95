"""Who may read a network's figures, and how: exactly, or as a partner's suppressed aggregates."""

from dataclasses import dataclass

from services.reach.errors import NotAllowedForNetwork
from shared.auth import Principal, PrincipalDep

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


async def reach_caller(principal: PrincipalDep) -> ReachCaller:
    networks = principal.networks if principal.kind == "partner" else frozenset()
    return ReachCaller(principal=principal, partner_networks=networks)
