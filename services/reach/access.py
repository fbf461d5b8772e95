"""Who may read a network's figures, and how: exactly, or as a partner's suppressed aggregates."""

from dataclasses import dataclass

import jwt
from fastapi import Request

from services.reach.errors import NotAllowedForNetwork
from shared.auth import Principal, PrincipalDep, bearer_token

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
        raise NotAllowedForNetwork("You may not read this network's reach figures.")


async def reach_caller(request: Request, principal: PrincipalDep) -> ReachCaller:
    networks: frozenset[str] = frozenset()
    if principal.kind == "partner":
        claimed = getattr(principal, "networks", None)
        if claimed is None:
            # shared.auth.Principal does not carry the partner's "networks" claim. The token
            # was verified by the dependency above, so its claims can be read back as they are.
            claims = jwt.decode(bearer_token(request) or "", options={"verify_signature": False})
            claimed = claims.get("networks")
        if isinstance(claimed, (list, tuple, set, frozenset)):
            networks = frozenset(str(n) for n in claimed)
    return ReachCaller(principal=principal, partner_networks=networks)
