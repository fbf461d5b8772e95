"""Annotated dependency aliases used by the scheduling routers."""

from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.identity import Identity
from shared.auth import OptionalPrincipalDep, PrincipalDep
from shared.db import SessionDep
from shared.pagination import PageDep


def _identity(request: Request) -> Identity:
    return Identity(gateway=request.app.state.gateway,
                    service_token=request.app.state.service_token)


IdentityDep = Annotated[Identity, Depends(_identity)]

__all__ = ["IdentityDep", "OptionalPrincipalDep", "PageDep", "PrincipalDep", "SessionDep"]
