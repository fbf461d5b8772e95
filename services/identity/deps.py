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
from shared.requests import client_address, networks


def _settings(request: Request) -> IdentitySettings:
    return request.app.state.settings


def _key_ring(request: Request) -> KeyRing:
    return request.app.state.key_ring


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessions


def _client_address(request: Request) -> str | None:
    # The gateway puts the client's address in X-Forwarded-For; nobody else is believed.
    return client_address(request.scope, networks(request.app.state.settings.trusted_proxies))


SettingsDep = Annotated[IdentitySettings, Depends(_settings)]
ClientAddressDep = Annotated[str | None, Depends(_client_address)]
KeyRingDep = Annotated[KeyRing, Depends(_key_ring)]
# Sessions outside the request's unit of work, for writes that must commit whatever it answers.
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]

__all__ = ["ActingPrincipalDep", "ClientAddressDep", "KeyRingDep", "OptionalPrincipalDep",
           "PageDep", "PrincipalDep", "SessionDep", "SessionsDep", "SettingsDep"]
