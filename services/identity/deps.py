"""Annotated dependency aliases for the identity routers."""

from typing import Annotated

from fastapi import Depends, Request

from services.identity.settings import IdentitySettings
from services.identity.tokens.keys import KeyRing
from shared.auth import OptionalPrincipalDep, PrincipalDep
from shared.db import SessionDep
from shared.pagination import PageDep


def _settings(request: Request) -> IdentitySettings:
    return request.app.state.settings


def _key_ring(request: Request) -> KeyRing:
    return request.app.state.key_ring


SettingsDep = Annotated[IdentitySettings, Depends(_settings)]
KeyRingDep = Annotated[KeyRing, Depends(_key_ring)]

__all__ = ["KeyRingDep", "OptionalPrincipalDep", "PageDep", "PrincipalDep", "SessionDep",
           "SettingsDep"]
