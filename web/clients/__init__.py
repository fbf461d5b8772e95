"""Typed clients of the gateway's API, one per service, sharing one pooled httpx client."""

from dataclasses import dataclass

import httpx

from web.clients.base import ApiError, GatewayClient
from web.clients.credit import CreditClient
from web.clients.identity import IdentityClient
from web.clients.network import NetworkClient
from web.clients.polls import PollsClient
from web.clients.programs import ProgramsClient
from web.clients.reach import ReachClient
from web.clients.scheduling import SchedulingClient

__all__ = ["ApiError", "Clients"]


@dataclass(frozen=True)
class Clients:
    http: httpx.AsyncClient
    identity: IdentityClient
    scheduling: SchedulingClient
    reach: ReachClient
    credit: CreditClient
    polls: PollsClient
    programs: ProgramsClient
    network: NetworkClient

    @classmethod
    def over(cls, http: httpx.AsyncClient) -> "Clients":
        gateway = GatewayClient(http)
        return cls(http, IdentityClient(gateway), SchedulingClient(gateway), ReachClient(gateway),
                   CreditClient(gateway), PollsClient(gateway), ProgramsClient(gateway),
                   NetworkClient(gateway))
