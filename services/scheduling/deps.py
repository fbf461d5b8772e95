"""Annotated dependency aliases used by the scheduling routers."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.identity import Identity
from shared.auth import OptionalPrincipalDep, PrincipalDep
from shared.db import SessionDep
from shared.pagination import PageDep


def _identity(request: Request) -> Identity:
    return Identity(gateway=request.app.state.gateway,
                    service_token=request.app.state.service_token)


def checkin_lead(request: Request) -> timedelta:
    """How long before a session starts attendance may be recorded (the service's setting)."""
    return timedelta(hours=request.app.state.settings.checkin_lead_hours)


IdentityDep = Annotated[Identity, Depends(_identity)]
CheckInLeadDep = Annotated[timedelta, Depends(checkin_lead)]

__all__ = ["CheckInLeadDep", "IdentityDep", "OptionalPrincipalDep", "PageDep", "PrincipalDep",
           "SessionDep"]
