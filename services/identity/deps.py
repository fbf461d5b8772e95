"""Annotated dependency aliases for the identity routers."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.settings import IdentitySettings
from services.identity.tokens.keys import KeyRing
from shared.auth import ActingPrincipalDep, OptionalPrincipalDep, PrincipalDep
from shared.db import SessionDep
from shared.pagination import PageDep


def _settings(request: Request) -> IdentitySettings:
    return request.app.state.settings


def _key_ring(request: Request) -> KeyRing:
    return request.app.state.key_ring


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessions


SettingsDep = Annotated[IdentitySettings, Depends(_settings)]
KeyRingDep = Annotated[KeyRing, Depends(_key_ring)]
# Sessions outside the request's unit of work, for writes that must commit whatever it answers.
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]

__all__ = ["ActingPrincipalDep", "KeyRingDep", "OptionalPrincipalDep", "PageDep", "PrincipalDep", "SessionDep",
           "SessionsDep", "SettingsDep"]
